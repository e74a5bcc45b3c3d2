package org.budayang.dept.traffic.internal.sim;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's own reading and writing of tester frames ({@code 02 LEN CMD DATA CHK 03}),
 * deliberately separate from the driver's codec so that each checks the other. Reads byte by
 * byte, so requests may arrive in any chunks.
 */
final class SimFrames {
    /** A well-formed request. */
    record Request(int command, byte[] data) {
    }

    private static final int STX = 0x02;
    private static final int ETX = 0x03;
    private static final int MAX_LEN = 32;

    private enum Expect {
        STX, LEN, BODY, CHK, ETX
    }

    private Expect expect = Expect.STX;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int len;
    private int check;
    private boolean checkOk;
    private long ignored;

    /** Requests completed by these bytes; frames with a bad LEN, CHK or ETX are dropped (counted). */
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
                        check = b;
                        body.reset();
                        expect = Expect.BODY;
                    }
                    break;
                case BODY:
                    body.write(b);
                    check ^= b;
                    if (body.size() == len) {
                        expect = Expect.CHK;
                    }
                    break;
                case CHK:
                    checkOk = b == check;
                    expect = Expect.ETX;
                    break;
                default:
                    expect = Expect.STX;
                    if (b == ETX && checkOk) {
                        byte[] all = body.toByteArray();
                        byte[] data = new byte[all.length - 1];
                        System.arraycopy(all, 1, data, 0, data.length);
                        out.add(new Request(all[0] & 0xFF, data));
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

    /** A reply frame: the command with bit 7 set is the caller's to pass. */
    static byte[] reply(int command, int... data) {
        byte[] f = new byte[data.length + 5];
        f[0] = STX;
        f[1] = (byte) (data.length + 1);
        f[2] = (byte) command;
        int x = f[1] ^ f[2];
        for (int i = 0; i < data.length; i++) {
            f[3 + i] = (byte) data[i];
            x ^= data[i];
        }
        f[f.length - 2] = (byte) x;
        f[f.length - 1] = ETX;
        return f;
    }

    /** The reply with its CHK inverted, for {@code reply=corrupt}. */
    static byte[] corrupt(byte[] frame) {
        frame[frame.length - 2] ^= (byte) 0xFF;
        return frame;
    }
}
