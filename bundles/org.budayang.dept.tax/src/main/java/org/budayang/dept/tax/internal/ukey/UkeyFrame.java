package org.budayang.dept.tax.internal.ukey;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;

/**
 * One frame of the UKey dispenser protocol (README-ukey.md): {@code STX LEN CMD DATA… CRC_LO
 * CRC_HI ETX}, LEN = 1 + data length (1…64), CRC-16/MODBUS of LEN, CMD and DATA.
 *
 * @param command the command byte (0…255)
 * @param data the parameters, possibly empty
 */
public record UkeyFrame(int command, byte[] data) {
    static final byte STX = 0x02;
    static final byte ETX = 0x03;
    static final int MAX_LEN = 64;

    /** Finds whole frames by STX, LEN and ETX; the CRC is checked by {@link #decode}. */
    public static final Framer FRAMER = UkeyFrame::frame;

    /** CRC-16/MODBUS, table-driven (reflected polynomial A001). */
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    public UkeyFrame {
        if (command < 0 || command > 0xFF) {
            throw new IllegalArgumentException("command out of range: " + command);
        }
        data = data.clone();
        if (data.length + 1 > MAX_LEN) {
            throw new IllegalArgumentException("too much data: " + data.length + " bytes");
        }
    }

    public UkeyFrame(int command, int... data) {
        this(command, bytes(data));
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    int at(int i) {
        return data[i] & 0xFF;
    }

    int length() {
        return data.length;
    }

    public byte[] encode() {
        int len = 1 + data.length;
        byte[] out = new byte[len + 5];
        out[0] = STX;
        out[1] = (byte) len;
        out[2] = (byte) command;
        System.arraycopy(data, 0, out, 3, data.length);
        int crc = crc16(out, 1, 2 + len);
        out[out.length - 3] = (byte) crc;
        out[out.length - 2] = (byte) (crc >>> 8);
        out[out.length - 1] = ETX;
        return out;
    }

    /**
     * Decodes one whole frame as {@link #FRAMER} delimited it.
     *
     * @throws DeviceException BAD_REPLY for anything but a well-formed frame with a right CRC
     */
    public static UkeyFrame decode(byte[] frame) throws DeviceException {
        if (frame.length < 6) {
            throw bad("truncated frame (" + frame.length + " bytes)");
        }
        if (frame[0] != STX) {
            throw bad(String.format("frame starts with %02X, not STX", frame[0] & 0xFF));
        }
        int len = frame[1] & 0xFF;
        if (len < 1 || len > MAX_LEN) {
            throw bad("impossible LEN " + len);
        }
        if (frame.length != len + 5) {
            throw bad("LEN " + len + " needs " + (len + 5) + " bytes, got " + frame.length);
        }
        if (frame[frame.length - 1] != ETX) {
            throw bad(String.format("frame ends with %02X, not ETX", frame[frame.length - 1] & 0xFF));
        }
        int expected = crc16(frame, 1, 2 + len);
        int received = (frame[frame.length - 3] & 0xFF) | (frame[frame.length - 2] & 0xFF) << 8;
        if (expected != received) {
            throw bad(String.format("CRC %04X, expected %04X", received, expected));
        }
        return new UkeyFrame(frame[2] & 0xFF, Arrays.copyOfRange(frame, 3, 2 + len));
    }

    /** CRC-16/MODBUS of {@code b[from, to)}. */
    static int crc16(byte[] b, int from, int to) {
        int crc = 0xFFFF;
        for (int i = from; i < to; i++) {
            crc = (crc >>> 8) ^ TABLE[(crc ^ b[i]) & 0xFF];
        }
        return crc;
    }

    static int frame(ByteBuffer pending) {
        int p = pending.position();
        int n = pending.remaining();
        if (n == 0) {
            return 0;
        }
        if (pending.get(p) != STX) {
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
        int total = len + 5;
        if (n < total) {
            return 0;
        }
        // A wrong ETX means this STX was not a frame start: look again one byte further.
        return pending.get(p + total - 1) == ETX ? total : -1;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static DeviceException bad(String message) {
        return new DeviceException(DeviceException.Reason.BAD_REPLY, "UKey dispenser: " + message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UkeyFrame f && f.command == command && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * command + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("UkeyFrame[%02X, %d data bytes]", command, data.length);
    }
}
