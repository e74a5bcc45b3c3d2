package org.budayang.devicekit.testing;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/** Test helper: hex text to bytes (whitespace ignored) and back. Independent of the code under test. */
public final class Hex {

    private Hex() {
    }

    public static byte[] bytes(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : parts) {
            String s = part.replaceAll("\\s+", "");
            if (s.length() % 2 != 0) {
                throw new IllegalArgumentException("odd hex: " + part);
            }
            for (int i = 0; i < s.length(); i += 2) {
                out.write(Integer.parseInt(s.substring(i, i + 2), 16));
            }
        }
        return out.toByteArray();
    }

    /** Upper-case hex with a space between bytes, for readable assertions. */
    public static String str(byte[] b) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b);
    }
}
