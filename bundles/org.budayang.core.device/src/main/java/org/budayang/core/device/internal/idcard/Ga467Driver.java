package org.budayang.core.device.internal.idcard;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.IdCard;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.identity.ResidentId;
import org.budayang.core.device.internal.DriverOptions;
import org.budayang.core.device.internal.SerialDriver;
import org.budayang.core.device.internal.SerialSession;
import org.osgi.service.component.annotations.Component;

/**
 * Driver of GA 467 resident ID-card readers (README-ga467.md has the bytes). On attach: reset
 * SAM, then SAM status, both must answer {@code 00 00 90}. Probe: SAM status. Reading a card:
 * find card until one is found or the time is up (every {@code poll.ms}), select it, read its
 * basic information. A failed exchange on the way (bad checksum, no reply in time) starts over
 * with find card while the time allows; only a failure of the last attempt is thrown.
 *
 * <p>Options: {@code timeout.ms} (reply timeout, default 1000), {@code read.timeout.ms} (the
 * 1295-byte basic-information reply, default 3000: 1.4 s at 9600 baud), {@code poll.ms} (pause
 * between find-card attempts, default 200).
 */
@Component(service = DeviceDriver.class, property = DeviceDriver.TYPE + "=" + Ga467Driver.TYPE)
public final class Ga467Driver extends SerialDriver<Ga467Driver.Reader> {
    public static final String TYPE = "ga467";

    public Ga467Driver() {
        super(TYPE, Capabilities.IDCARD, IdCardReader.class);
    }

    @Override
    protected Reader start(DeviceContext context, DriverOptions o) throws DeviceException {
        Reader reader = new Reader(context, o.replyTimeout(), Duration.ofMillis(o.integer("read.timeout.ms", 3000, 100, 60_000)),
                o.integer("poll.ms", 200, 10, 10_000));
        reader.start();
        return reader;
    }

    /**
     * Delimits GA 467 frames: skips noise before {@code AA AA AA 96 69}, then header, 2 length
     * bytes and as many bytes as the length says. An impossible length drops one byte, so the
     * search resumes after the false header.
     */
    static final Framer FRAMER = pending -> {
        int n = pending.remaining();
        int at = headerAt(pending);
        if (at != 0) {
            return at < 0 ? -n : -at;
        }
        if (n < 7) {
            return 0;
        }
        int len = ((pending.get(5) & 0xFF) << 8) | (pending.get(6) & 0xFF);
        if (len < Ga467Frame.REPLY_HEAD_SIZE + 1 || len > Ga467Frame.MAX_LENGTH) {
            return -1;
        }
        return n >= 7 + len ? 7 + len : 0;
    };

    /** Where a header (or the start of one cut off at the end) begins; -1 if nowhere. */
    private static int headerAt(ByteBuffer p) {
        byte[] h = Ga467Frame.HEADER;
        int n = p.remaining();
        outer:
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < h.length && i + k < n; k++) {
                if (p.get(i + k) != h[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** One attached reader. */
    static final class Reader extends SerialSession implements IdCardReader {
        private final Duration timeout;
        private final Duration readTimeout;
        private final int pollMillis;

        Reader(DeviceContext context, Duration timeout, Duration readTimeout, int pollMillis) {
            super(context);
            this.timeout = timeout;
            this.readTimeout = readTimeout;
            this.pollMillis = pollMillis;
        }

        void start() throws DeviceException {
            locked(() -> {
                channel.clearInput();
                expectSuccess(Ga467Command.RESET_SAM, "reset SAM");
                expectSuccess(Ga467Command.SAM_STATUS, "SAM status");
            });
        }

        @Override
        public void probe() throws DeviceException {
            unlessBusy(() -> expectSuccess(Ga467Command.SAM_STATUS, "SAM status"));
        }

        @Override
        public Optional<IdCard> read(Duration wait) throws DeviceException {
            long deadline = System.nanoTime() + wait.toNanos();
            if (!tryLock(wait)) {
                return Optional.empty();
            }
            try {
                // A reply that fails (corrupt, none in time) is retried from "find card" while the
                // caller's time allows; only the outcome of the last attempt counts.
                DeviceException last = null;
                while (true) {
                    try {
                        Optional<IdCard> card = attempt();
                        if (card.isPresent()) {
                            return card;
                        }
                        last = null;
                    } catch (DeviceException e) {
                        if (e.reason() == DeviceException.Reason.REFUSED || e.reason() == DeviceException.Reason.OFFLINE) {
                            throw e;
                        }
                        last = e;
                    }
                    long left = deadline - System.nanoTime();
                    if (left < TimeUnit.MILLISECONDS.toNanos(pollMillis)) {
                        if (last != null) {
                            throw last;
                        }
                        return Optional.empty();
                    }
                    Thread.sleep(pollMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } finally {
                unlock();
            }
        }

        /** Find, select, read once; empty when there is no card (or it was taken away between the steps). */
        private Optional<IdCard> attempt() throws DeviceException {
            Ga467Frame found = exchange(Ga467Command.FIND_CARD, "find card", timeout);
            if (found.status().code() != Ga467Status.Code.CARD_FOUND) {
                return Optional.empty();
            }
            Ga467Frame selected = exchange(Ga467Command.SELECT_CARD, "select card", timeout);
            if (selected.status().code() != Ga467Status.Code.SUCCESS) {
                return Optional.empty();
            }
            Ga467Frame info = exchange(Ga467Command.READ_BASIC_INFO, "read basic info", readTimeout);
            if (info.status().code() != Ga467Status.Code.SUCCESS) {
                return Optional.empty();
            }
            return Optional.of(card(info));
        }

        private IdCard card(Ga467Frame info) throws DeviceException {
            IdCardData d;
            try {
                d = IdCardData.parse(info.data());
            } catch (IdCardFormatException e) {
                throw failed(DeviceException.Reason.BAD_REPLY, "read basic info: unreadable card data (" + e.getMessage() + ")");
            }
            if (ResidentId.problem(d.idNumber()) != null) {
                // The reader did its job; the card itself is not a valid resident ID card.
                throw new DeviceException(DeviceException.Reason.REFUSED,
                        "the card's ID number is not valid: " + ResidentId.problem(d.idNumber()));
            }
            String sex = switch (d.sex()) {
                case MALE -> "男";
                case FEMALE -> "女";
                default -> "未知";
            };
            String ethnicity = d.ethnicity().name() != null ? d.ethnicity().name() : d.ethnicity().code();
            return new IdCard(d.name(), sex, ethnicity, d.birthDate(), d.address(), new ResidentId(d.idNumber()),
                    d.authority(), d.validFrom(), d.validTo());
        }

        private void expectSuccess(Ga467Command command, String what) throws DeviceException {
            Ga467Frame reply = exchange(command, what, timeout);
            if (reply.status().code() != Ga467Status.Code.SUCCESS) {
                throw failed(DeviceException.Reason.BAD_REPLY, what + " answered " + reply.status());
            }
        }

        /** One request and its reply; reports the outcome to the core (never any card data). */
        private Ga467Frame exchange(Ga467Command command, String what, Duration wait) throws DeviceException {
            byte[] raw = request(Ga467Frame.request(command), FRAMER, wait, what);
            List<Ga467Decoder.Event> events = new Ga467Decoder().feed(raw);
            if (events.size() == 1 && events.get(0) instanceof Ga467Decoder.FrameDecoded f) {
                context.ok(what + ": " + f.frame().status());
                return f.frame();
            }
            throw failed(DeviceException.Reason.BAD_REPLY,
                    what + ": " + (events.isEmpty() ? "unreadable reply" : events.get(0).toString()));
        }
    }
}
