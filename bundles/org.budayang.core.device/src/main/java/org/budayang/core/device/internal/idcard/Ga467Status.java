package org.budayang.core.device.internal.idcard;

/**
 * Reply status SW1 SW2 SW3. The {@link Code} classifies the known values; any other value is
 * {@link Code#OTHER}, and the raw bytes are always kept.
 */
public record Ga467Status(Code code, int sw1, int sw2, int sw3) {

    /** Classification of SW1 SW2 SW3. */
    public enum Code {
        /** {@code 00 00 90}: operation succeeded. */
        SUCCESS,
        /** {@code 00 00 9F}: card found. */
        CARD_FOUND,
        /** {@code 00 00 80}: no card (find card failed). */
        NO_CARD,
        /** Any other value: an error reported by the reader; see the raw bytes. */
        OTHER
    }

    public Ga467Status {
        if (code == null) {
            throw new NullPointerException("code");
        }
        sw1 &= 0xFF;
        sw2 &= 0xFF;
        sw3 &= 0xFF;
    }

    /** Classifies three raw status bytes. */
    public static Ga467Status of(byte sw1, byte sw2, byte sw3) {
        int a = sw1 & 0xFF, b = sw2 & 0xFF, c = sw3 & 0xFF;
        Code code = Code.OTHER;
        if (a == 0 && b == 0) {
            switch (c) {
                case 0x90: code = Code.SUCCESS; break;
                case 0x9F: code = Code.CARD_FOUND; break;
                case 0x80: code = Code.NO_CARD; break;
                default: break;
            }
        }
        return new Ga467Status(code, a, b, c);
    }

    /** The raw bytes SW1 SW2 SW3. */
    public byte[] raw() {
        return new byte[] {(byte) sw1, (byte) sw2, (byte) sw3};
    }

    @Override
    public String toString() {
        return String.format("%s(%02X %02X %02X)", code, sw1, sw2, sw3);
    }
}
