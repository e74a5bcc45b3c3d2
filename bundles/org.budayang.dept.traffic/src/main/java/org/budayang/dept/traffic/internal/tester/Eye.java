package org.budayang.dept.traffic.internal.tester;

/** An eye as the vision commands address it. */
public enum Eye {
    LEFT(0x01), RIGHT(0x02);

    final int code;

    Eye(int code) {
        this.code = code;
    }

    /** As in the action's arguments and results: {@code left}, {@code right}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
