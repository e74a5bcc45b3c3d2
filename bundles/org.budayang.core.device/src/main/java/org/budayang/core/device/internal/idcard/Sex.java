package org.budayang.core.device.internal.idcard;

/** Sex codes of the card (GB/T 2261.1). */
public enum Sex {
    UNKNOWN('0', "未知"),
    MALE('1', "男"),
    FEMALE('2', "女"),
    UNSPECIFIED('9', "未说明");

    private final char code;
    private final String label;

    Sex(char code, String label) {
        this.code = code;
        this.label = label;
    }

    public char code() {
        return code;
    }

    /** Chinese label, e.g. 男. */
    public String label() {
        return label;
    }

    /** The sex of a one-character code; throws {@link IdCardFormatException} for other codes. */
    public static Sex ofCode(String code) {
        for (Sex s : values()) {
            if (code.length() == 1 && code.charAt(0) == s.code) {
                return s;
            }
        }
        throw new IdCardFormatException("unknown sex code '" + code + "'");
    }
}
