package org.budayang.core.device.internal.idcard;

import java.io.ByteArrayOutputStream;

/** Test helper: hex text to bytes (whitespace ignored). Independent of the code under test. */
final class Hex {

    private Hex() {
    }

    static byte[] bytes(String... parts) {
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

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
