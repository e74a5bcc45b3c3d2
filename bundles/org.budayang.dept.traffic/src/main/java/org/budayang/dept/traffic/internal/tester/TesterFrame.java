package org.budayang.dept.traffic.internal.tester;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;

/**
 * One frame of the tester protocol (README-tester.md): {@code STX LEN CMD DATA… CHK ETX}, LEN =
 * 1 + data length (1…32), CHK = XOR of LEN, CMD and DATA.
 *
 * @param command the command byte (0…255)
 * @param data the parameters, possibly empty
 */
public record TesterFrame(int command, byte[] data) {
    static final byte STX = 0x02;
    static final byte ETX = 0x03;
    /** Largest LEN (command + data). */
    static final int MAX_LEN = 32;

    /** Finds whole frames by STX, LEN and ETX; the checksum is checked by {@link #decode}. */
    public static final Framer FRAMER = TesterFrame::frame;

    public TesterFrame {
        if (command < 0 || command > 0xFF) {
            throw new IllegalArgumentException("command out of range: " + command);
        }
        data = data.clone();
        if (data.length + 1 > MAX_LEN) {
            throw new IllegalArgumentException("too much data: " + data.length + " bytes");
        }
    }

    public TesterFrame(int command, int... data) {
        this(command, bytes(data));
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Data byte {@code i} as 0…255. */
    int at(int i) {
        return data[i] & 0xFF;
    }

    int length() {
        return data.length;
    }

    public byte[] encode() {
        int len = 1 + data.length;
        byte[] out = new byte[len + 4];
        out[0] = STX;
        out[1] = (byte) len;
        out[2] = (byte) command;
        System.arraycopy(data, 0, out, 3, data.length);
        out[out.length - 2] = xor(out, 1, out.length - 2);
        out[out.length - 1] = ETX;
        return out;
    }

    /**
     * Decodes one whole frame as {@link #FRAMER} delimited it.
     *
     * @throws DeviceException BAD_REPLY for anything but a well-formed frame with a right checksum
     */
    public static TesterFrame decode(byte[] frame) throws DeviceException {
        if (frame.length < 5) {
            throw bad("truncated frame (" + frame.length + " bytes)");
        }
        if (frame[0] != STX) {
            throw bad(String.format("frame starts with %02X, not STX", frame[0] & 0xFF));
        }
        int len = frame[1] & 0xFF;
        if (len < 1 || len > MAX_LEN) {
            throw bad("impossible LEN " + len);
        }
        if (frame.length != len + 4) {
            throw bad("LEN " + len + " needs " + (len + 4) + " bytes, got " + frame.length);
        }
        if (frame[frame.length - 1] != ETX) {
            throw bad(String.format("frame ends with %02X, not ETX", frame[frame.length - 1] & 0xFF));
        }
        int expected = xor(frame, 1, frame.length - 2) & 0xFF;
        int received = frame[frame.length - 2] & 0xFF;
        if (expected != received) {
            throw bad(String.format("checksum %02X, expected %02X", received, expected));
        }
        return new TesterFrame(frame[2] & 0xFF, Arrays.copyOfRange(frame, 3, frame.length - 2));
    }

    static int frame(ByteBuffer pending) {
        int p = pending.position();
        int n = pending.remaining();
        if (n == 0) {
            return 0;
        }
        if (pending.get(p) != STX) {
            // Noise: drop everything up to the next STX.
            for (int i = 1; i < n; i++) {
                if (pending.get(p + i) == STX) {
                    return -i;
                }
            }
            return -n;
        }
        if (n < 2) {
            return 0;
        }
        int len = pending.get(p + 1) & 0xFF;
        if (len < 1 || len > MAX_LEN) {
            return -1;
        }
        int total = len + 4;
        if (n < total) {
            return 0;
        }
        // A wrong ETX means this STX was not a frame start: look again one byte further.
        return pending.get(p + total - 1) == ETX ? total : -1;
    }

    private static byte xor(byte[] b, int from, int to) {
        int x = 0;
        for (int i = from; i < to; i++) {
            x ^= b[i];
        }
        return (byte) x;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static DeviceException bad(String message) {
        return new DeviceException(DeviceException.Reason.BAD_REPLY, "tester: " + message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TesterFrame f && f.command == command && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * command + Arrays.hashCode(data);
    }

    /** The command and data size only: a reply's data is a measurement (health data). */
    @Override
    public String toString() {
        return String.format("TesterFrame[%02X, %d data bytes]", command, data.length);
    }
}
