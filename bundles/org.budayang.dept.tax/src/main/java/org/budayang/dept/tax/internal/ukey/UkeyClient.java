package org.budayang.dept.tax.internal.ukey;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceException.Reason;
import org.budayang.api.device.SerialChannel;

/**
 * The dispenser's requests, one exchange each, checked and reported to the device's health. Not
 * thread-safe: {@link UkeySession} runs one action at a time.
 */
final class UkeyClient {
    static final int STATUS = 0x01;
    static final int DISPENSE = 0x02;
    static final int CONFIRM_TAKEN = 0x03;
    static final int UNKNOWN_COMMAND_REPLY = 0xFF;
    static final int SERIAL_LENGTH = 12;

    /** @param code OK (ready), EMPTY or JAMMED */
    record Status(ResultCode code, int stock, boolean keyInOutlet, int lastTx) {
    }

    /** @param serial the key's device number when {@code code} is OK, else null */
    record Dispensed(ResultCode code, int tx, int stock, String serial) {
    }

    enum Outcome {
        IN_OUTLET, TAKEN, UNKNOWN
    }

    private final SerialChannel channel;
    private final DeviceContext health;
    private final Duration timeout;
    /** Off while attaching: the core learns of a failed attach from the exception. */
    private volatile boolean reportFailures;

    UkeyClient(SerialChannel channel, DeviceContext health, Duration timeout) {
        this.channel = channel;
        this.health = health;
        this.timeout = timeout;
    }

    void reportFailures(boolean on) {
        reportFailures = on;
    }

    Status status() throws DeviceException {
        return call(new UkeyFrame(STATUS), "status", r -> {
            length(r, 5);
            ResultCode code = code(r);
            if ((code != ResultCode.OK && code != ResultCode.EMPTY && code != ResultCode.JAMMED) || r.at(3) > 1) {
                throw bad(String.format("impossible status %02X, outlet %02X", r.at(0), r.at(3)));
            }
            return new Status(code, r.at(1) << 8 | r.at(2), r.at(3) == 1, r.at(4));
        });
    }

    Dispensed dispense(int tx) throws DeviceException {
        return call(new UkeyFrame(DISPENSE, tx), "dispense", r -> {
            ResultCode code = code(r);
            length(r, code == ResultCode.OK ? 4 + SERIAL_LENGTH : 4);
            sameTx(tx, r);
            String serial = null;
            if (code == ResultCode.OK) {
                serial = new String(r.data(), 4, SERIAL_LENGTH, StandardCharsets.US_ASCII);
                if (!serial.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw bad("the serial is not 12 digits");
                }
            }
            return new Dispensed(code, tx, r.at(2) << 8 | r.at(3), serial);
        });
    }

    Outcome confirmTaken(int tx) throws DeviceException {
        return call(new UkeyFrame(CONFIRM_TAKEN, tx), "confirm taken", r -> {
            length(r, 3);
            if (code(r) != ResultCode.OK || r.at(2) > 2) {
                throw bad(String.format("impossible confirm-taken reply %02X, outcome %02X", r.at(0), r.at(2)));
            }
            sameTx(tx, r);
            return Outcome.values()[r.at(2)];
        });
    }

    private interface Parser<T> {
        T parse(UkeyFrame reply) throws DeviceException;
    }

    private <T> T call(UkeyFrame request, String what, Parser<T> parser) throws DeviceException {
        try {
            // A late reply to an earlier, timed-out request must not pass for this one's.
            channel.clearInput();
            channel.write(request.encode());
            UkeyFrame reply = UkeyFrame.decode(channel.readFrame(UkeyFrame.FRAMER, timeout));
            if (reply.command() == UNKNOWN_COMMAND_REPLY) {
                throw bad(String.format("the dispenser does not know command %02X", request.command()));
            }
            if (reply.command() != (request.command() | 0x80)) {
                throw bad(String.format("reply %02X to request %02X", reply.command(), request.command()));
            }
            if (reply.length() == 0) {
                throw bad("reply without a result code");
            }
            T result = parser.parse(reply);
            // Names the reply only: a key's serial ties it to the taxpayer who took it.
            health.ok(what + ": " + ResultCode.of(reply.at(0)).meaning);
            return result;
        } catch (DeviceException e) {
            if (reportFailures) {
                health.failed(e.getMessage());
            }
            throw e;
        }
    }

    private static ResultCode code(UkeyFrame reply) throws DeviceException {
        ResultCode code = ResultCode.of(reply.at(0));
        if (code == null) {
            throw bad(String.format("unknown result code %02X", reply.at(0)));
        }
        return code;
    }

    private static void length(UkeyFrame reply, int expected) throws DeviceException {
        if (reply.length() != expected) {
            throw bad(String.format("reply %02X has %d data bytes, not %d", reply.command(), reply.length(), expected));
        }
    }

    private static void sameTx(int tx, UkeyFrame reply) throws DeviceException {
        if (reply.at(1) != tx) {
            throw bad(String.format("reply for transaction %d to a request for %d", reply.at(1), tx));
        }
    }

    static DeviceException bad(String message) {
        return new DeviceException(Reason.BAD_REPLY, "UKey dispenser: " + message);
    }
}
