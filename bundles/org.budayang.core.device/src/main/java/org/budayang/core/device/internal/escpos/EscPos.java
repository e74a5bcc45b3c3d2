package org.budayang.core.device.internal.escpos;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Fluent ESC/POS receipt builder. Commands as implemented:
 * <pre>
 *   init()        1B 40                       ESC @
 *   text(s)       GB18030 bytes of s
 *   line(s)       text(s) 0A
 *   bold(b)       1B 45 n                     ESC E n, n = 01 on / 00 off
 *   align(a)      1B 61 n                     ESC a n, n = 00 left / 01 center / 02 right
 *   feed(n)       1B 64 n                     ESC d n, n = 0..255 lines
 *   qr(data[,m])  1D 28 6B 04 00 31 41 32 00  model 2
 *                 1D 28 6B 03 00 31 43 m      module size m (1..16, default 6)
 *                 1D 28 6B 03 00 31 45 31     error correction M
 *                 1D 28 6B pL pH 31 50 30 d.. store, pL pH = little-endian (len(d) + 3)
 *                 1D 28 6B 03 00 31 51 30     print
 *   cut()         1D 56 42 00                 GS V function B, m = 66: feed to the cut position
 *                                             (+ n = 0 dots), then partial cut
 * </pre>
 * QR data is encoded in UTF-8 and limited to {@value #QR_MAX_BYTES} bytes.
 */
public final class EscPos {

    public enum Align {
        LEFT(0), CENTER(1), RIGHT(2);

        private final int n;

        Align(int n) {
            this.n = n;
        }

        public int code() {
            return n;
        }
    }

    /** Upper limit of the GS ( k store function (QR model 2, version 40, numeric data). */
    public static final int QR_MAX_BYTES = 7089;
    public static final int QR_DEFAULT_MODULE_SIZE = 6;
    public static final Charset TEXT_CHARSET = Charset.forName("GB18030");

    private static final int ESC = 0x1B;
    private static final int GS = 0x1D;
    private static final int LF = 0x0A;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static EscPos builder() {
        return new EscPos();
    }

    /** ESC @: resets the printer. */
    public EscPos init() {
        return put(ESC, '@');
    }

    /** Text in GB18030; rejects strings that cannot be encoded (e.g. unpaired surrogates). */
    public EscPos text(String s) {
        if (s == null) {
            throw new IllegalArgumentException("text is null");
        }
        CharsetEncoder enc = TEXT_CHARSET.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer bb = enc.encode(CharBuffer.wrap(s));
            out.write(bb.array(), bb.arrayOffset() + bb.position(), bb.remaining());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text cannot be encoded in GB18030: " + e, e);
        }
        return this;
    }

    /** Text then LF. */
    public EscPos line(String s) {
        return text(s).put(LF);
    }

    /** ESC E n. */
    public EscPos bold(boolean on) {
        return put(ESC, 'E', on ? 1 : 0);
    }

    /** ESC a n. */
    public EscPos align(Align a) {
        if (a == null) {
            throw new IllegalArgumentException("align is null");
        }
        return put(ESC, 'a', a.code());
    }

    /** ESC d n: print and feed n lines (0..255). */
    public EscPos feed(int lines) {
        if (lines < 0 || lines > 255) {
            throw new IllegalArgumentException("feed lines must be 0..255, was " + lines);
        }
        return put(ESC, 'd', lines);
    }

    /** QR code with module size {@value #QR_DEFAULT_MODULE_SIZE}. */
    public EscPos qr(String data) {
        return qr(data, QR_DEFAULT_MODULE_SIZE);
    }

    /** QR code (model 2, error correction M) of {@code data} in UTF-8. */
    public EscPos qr(String data, int moduleSize) {
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("QR data is empty");
        }
        if (moduleSize < 1 || moduleSize > 16) {
            throw new IllegalArgumentException("QR module size must be 1..16, was " + moduleSize);
        }
        byte[] d = data.getBytes(StandardCharsets.UTF_8);
        if (d.length > QR_MAX_BYTES) {
            throw new IllegalArgumentException("QR data is " + d.length
                    + " bytes, over the store limit of " + QR_MAX_BYTES + " bytes");
        }
        int storeLen = d.length + 3;
        put(GS, '(', 'k', 4, 0, '1', 'A', '2', 0);          // model 2
        put(GS, '(', 'k', 3, 0, '1', 'C', moduleSize);      // module size
        put(GS, '(', 'k', 3, 0, '1', 'E', '1');             // error correction M (0x31)
        put(GS, '(', 'k', storeLen & 0xFF, storeLen >>> 8, '1', 'P', '0');  // store
        out.write(d, 0, d.length);
        return put(GS, '(', 'k', 3, 0, '1', 'Q', '0');      // print
    }

    /** GS V 66 0: feed to the cut position, partial cut. */
    public EscPos cut() {
        return put(GS, 'V', 0x42, 0);
    }

    /** Raw bytes, for commands this builder does not cover. */
    public EscPos raw(byte... bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    /** The bytes so far (a copy). */
    public byte[] toBytes() {
        return out.toByteArray();
    }

    private EscPos put(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }
}
