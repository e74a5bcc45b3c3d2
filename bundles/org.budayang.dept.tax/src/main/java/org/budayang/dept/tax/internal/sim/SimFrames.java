package org.budayang.dept.tax.internal.sim;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's own reading and writing of dispenser frames ({@code 02 LEN CMD DATA CRC_LO
 * CRC_HI 03}), deliberately separate from the driver's codec (bit by bit CRC here, a table
 * there) so that each checks the other. Reads byte by byte: requests may arrive in any chunks.
 */
final class SimFrames {
    record Request(int command, byte[] data) {
    }

    private static final int STX = 0x02;
    private static final int ETX = 0x03;
    private static final int MAX_LEN = 64;

    private enum Expect {
        STX, LEN, BODY, CRC_LO, CRC_HI, ETX
    }

    private Expect expect = Expect.STX;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int len;
    private int crcLo;
    private boolean crcOk;
    private long ignored;

    /** Requests completed by these bytes; frames with a bad LEN, CRC or ETX are dropped (counted). */
    List<Request> read(byte[] bytes) {
        List<Request> out = new ArrayList<>();
        for (byte raw : bytes) {
            int b = raw & 0xFF;
            switch (expect) {
                case STX:
                    if (b == STX) {
                        expect = Expect.LEN;
                    }
                    break;
                case LEN:
                    if (b == 0 || b > MAX_LEN) {
                        ignored++;
                        expect = Expect.STX;
                    } else {
                        len = b;
                        body.reset();
                        body.write(b);
                        expect = Expect.BODY;
                    }
                    break;
                case BODY:
                    body.write(b);
                    if (body.size() == len + 1) {
                        expect = Expect.CRC_LO;
                    }
                    break;
                case CRC_LO:
                    crcLo = b;
                    expect = Expect.CRC_HI;
                    break;
                case CRC_HI:
                    crcOk = (crcLo | b << 8) == crc(body.toByteArray());
                    expect = Expect.ETX;
                    break;
                default:
                    expect = Expect.STX;
                    if (b == ETX && crcOk) {
                        byte[] all = body.toByteArray(); // LEN CMD DATA
                        byte[] data = new byte[all.length - 2];
                        System.arraycopy(all, 2, data, 0, data.length);
                        out.add(new Request(all[1] & 0xFF, data));
                    } else {
                        ignored++;
                    }
            }
        }
        return out;
    }

    long ignored() {
        return ignored;
    }

    /** A reply frame; {@code command} already has bit 7 set. */
    static byte[] reply(int command, byte[] data) {
        byte[] f = new byte[data.length + 6];
        f[0] = STX;
        f[1] = (byte) (data.length + 1);
        f[2] = (byte) command;
        System.arraycopy(data, 0, f, 3, data.length);
        byte[] covered = new byte[data.length + 2];
        System.arraycopy(f, 1, covered, 0, covered.length);
        int crc = crc(covered);
        f[f.length - 3] = (byte) (crc & 0xFF);
        f[f.length - 2] = (byte) (crc >> 8);
        f[f.length - 1] = ETX;
        return f;
    }

    static byte[] reply(int command, int... data) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            b[i] = (byte) data[i];
        }
        return reply(command, b);
    }

    /** The reply with both CRC bytes inverted, for {@code reply=corrupt}. */
    static byte[] corrupt(byte[] frame) {
        frame[frame.length - 3] ^= (byte) 0xFF;
        frame[frame.length - 2] ^= (byte) 0xFF;
        return frame;
    }

    /** CRC-16/MODBUS, one bit at a time: init FFFF, reflected polynomial A001. */
    static int crc(byte[] bytes) {
        int crc = 0xFFFF;
        for (byte value : bytes) {
            crc ^= value & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                boolean lsb = (crc & 1) == 1;
                crc >>= 1;
                if (lsb) {
                    crc ^= 0xA001;
                }
            }
        }
        return crc;
    }
}
