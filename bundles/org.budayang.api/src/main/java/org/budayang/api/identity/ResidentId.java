package org.budayang.api.identity;

/**
 * A resident ID number (公民身份号码, GB 11643-1999): 17 digits and a check character.
 * {@link #toString()} is masked on purpose, so that logging a person never leaks the number;
 * {@link #value()} is for the few places that must have it (encryption, keyed hashing).
 */
public record ResidentId(String value) {
    private static final int[] WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    private static final char[] CHECK = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };

    /**
     * @throws IllegalArgumentException with the reason when the number is malformed or its
     *         check character is wrong (the message never repeats the number unmasked)
     */
    public ResidentId {
        String reason = problem(value);
        if (reason != null) {
            throw new IllegalArgumentException(reason);
        }
        value = value.toUpperCase(java.util.Locale.ROOT);
    }

    /** Why the text is not a valid resident ID number, or null if it is. */
    public static String problem(String text) {
        if (text == null || text.length() != 18) {
            return "a resident ID number has 18 characters";
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return "the first 17 characters of a resident ID number are digits";
            }
            sum += (c - '0') * WEIGHTS[i];
        }
        char last = Character.toUpperCase(text.charAt(17));
        if (last != CHECK[sum % 11]) {
            return "the check character of the resident ID number is wrong";
        }
        int month = Integer.parseInt(text.substring(10, 12));
        int day = Integer.parseInt(text.substring(12, 14));
        if (month < 1 || month > 12 || day < 1 || day > 31) {
            return "the birth date in the resident ID number is not a date";
        }
        return null;
    }

    /** {@code 110105********002X}: region code and the last four, as shown on screens and in logs. */
    public String masked() {
        return mask(value);
    }

    /** Masks anything that may be an ID number, valid or not, keeping at most 6 + 4 characters. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        if (text.length() <= 10) {
            return "*".repeat(text.length());
        }
        return text.substring(0, 6) + "*".repeat(text.length() - 10) + text.substring(text.length() - 4);
    }

    @Override
    public String toString() {
        return masked();
    }
}
