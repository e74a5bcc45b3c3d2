package org.budayang.dept.traffic.internal.tester;

import java.time.Duration;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceException.Reason;
import org.budayang.api.device.SerialChannel;

/**
 * The tester's requests, one exchange each, checked and reported to the device's health. Not
 * thread-safe: {@link TesterSession} runs one action at a time.
 */
final class TesterClient {
    static final int STATUS = 0x10;
    static final int START_HEIGHT = 0x20;
    static final int READ_HEIGHT = 0x21;
    static final int START_VISION = 0x30;
    static final int READ_VISION = 0x31;
    static final int UNKNOWN_COMMAND_REPLY = 0xFF;

    static final int MIN_HEIGHT_MM = 500;
    static final int MAX_HEIGHT_MM = 2500;
    /** 4.0 and 5.3 in the 5-point notation, × 10. */
    static final int MIN_ACUITY = 40;
    static final int MAX_ACUITY = 53;

    /** @param personPresent someone stands on the platform */
    record Status(boolean personPresent, boolean measuringHeight, boolean testingVision) {
    }

    /** A read reply: its code and, when OK, the value (height in mm, or acuity × 10). */
    record Reading(ResultCode code, int value) {
    }

    private final SerialChannel channel;
    private final DeviceContext health;
    private final Duration timeout;
    /** Off while attaching: the core learns of a failed attach from the exception. */
    private volatile boolean reportFailures;

    TesterClient(SerialChannel channel, DeviceContext health, Duration timeout) {
        this.channel = channel;
        this.health = health;
        this.timeout = timeout;
    }

    void reportFailures(boolean on) {
        reportFailures = on;
    }

    Status status() throws DeviceException {
        return call(new TesterFrame(STATUS), 3, "status", r -> {
            if (r.at(0) != ResultCode.OK.code || r.at(1) > 3 || r.at(2) > 1) {
                throw bad(String.format("impossible status %02X %02X %02X", r.at(0), r.at(1), r.at(2)));
            }
            return new Status(r.at(2) == 1, (r.at(1) & 1) != 0, (r.at(1) & 2) != 0);
        });
    }

    ResultCode startHeight() throws DeviceException {
        return call(new TesterFrame(START_HEIGHT), 1, "start height", r -> code(r));
    }

    Reading readHeight() throws DeviceException {
        return call(new TesterFrame(READ_HEIGHT), 3, "height result", r -> {
            ResultCode code = code(r);
            int mm = r.at(1) << 8 | r.at(2);
            if (code == ResultCode.OK && (mm < MIN_HEIGHT_MM || mm > MAX_HEIGHT_MM)) {
                throw bad("height out of range (" + MIN_HEIGHT_MM + "–" + MAX_HEIGHT_MM + " mm)");
            }
            return new Reading(code, code == ResultCode.OK ? mm : 0);
        });
    }

    ResultCode startVision(Eye eye) throws DeviceException {
        return call(new TesterFrame(START_VISION, eye.code), 2, "start vision", r -> {
            ResultCode code = code(r);
            sameEye(eye, r);
            return code;
        });
    }

    Reading readVision(Eye eye) throws DeviceException {
        return call(new TesterFrame(READ_VISION, eye.code), 3, "vision result", r -> {
            ResultCode code = code(r);
            sameEye(eye, r);
            int v = r.at(2);
            if (code == ResultCode.OK && (v < MIN_ACUITY || v > MAX_ACUITY)) {
                throw bad("acuity out of range (4.0–5.3)");
            }
            return new Reading(code, code == ResultCode.OK ? v : 0);
        });
    }

    private interface Parser<T> {
        T parse(TesterFrame reply) throws DeviceException;
    }

    private <T> T call(TesterFrame request, int replyLength, String what, Parser<T> parser) throws DeviceException {
        try {
            // A late reply to an earlier, timed-out request must not pass for this one's.
            channel.clearInput();
            channel.write(request.encode());
            TesterFrame reply = TesterFrame.decode(channel.readFrame(TesterFrame.FRAMER, timeout));
            if (reply.command() == UNKNOWN_COMMAND_REPLY) {
                throw bad(String.format("the tester does not know command %02X", request.command()));
            }
            if (reply.command() != (request.command() | 0x80)) {
                throw bad(String.format("reply %02X to request %02X", reply.command(), request.command()));
            }
            if (reply.length() != replyLength) {
                throw bad(String.format("reply %02X has %d data bytes, not %d", reply.command(), reply.length(), replyLength));
            }
            T result = parser.parse(reply);
            // Names the reply, never its values: heights and acuities are health data.
            health.ok(what + ": " + ResultCode.of(reply.at(0)).meaning);
            return result;
        } catch (DeviceException e) {
            if (reportFailures) {
                health.failed(e.getMessage());
            }
            throw e;
        }
    }

    private static ResultCode code(TesterFrame reply) throws DeviceException {
        ResultCode code = ResultCode.of(reply.at(0));
        if (code == null) {
            throw bad(String.format("unknown result code %02X", reply.at(0)));
        }
        return code;
    }

    private static void sameEye(Eye eye, TesterFrame reply) throws DeviceException {
        if (reply.at(1) != eye.code) {
            throw bad(String.format("reply for eye %02X to a request for eye %02X", reply.at(1), eye.code));
        }
    }

    static DeviceException bad(String message) {
        return new DeviceException(Reason.BAD_REPLY, "tester: " + message);
    }
}
