package org.budayang.core.device.internal.locker;

/** Test helper: "8A 01 05" to bytes and back. Independent of the code under test. */
final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String hex) {
        String s = hex.replaceAll("\\s+", "");
        if (s.length() % 2 != 0) {
            throw new IllegalArgumentException("odd hex: " + hex);
        }
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    public static String str(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", x & 0xFF));
        }
        return sb.toString();
    }
}
