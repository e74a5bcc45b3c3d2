package org.budayang.api.locker;

import java.util.Locale;

/** Compartment sizes: small (an envelope), medium (a folder), large (a box of files). */
public enum Size {
    S, M, L;

    /**
     * {@code S}, {@code M} or {@code L}, in either case.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static Size parse(String text) {
        if (text != null) {
            switch (text.strip().toUpperCase(Locale.ROOT)) {
                case "S": return S;
                case "M": return M;
                case "L": return L;
                default: break;
            }
        }
        throw new IllegalArgumentException("a compartment size is S, M or L, not '" + text + "'");
    }
}
