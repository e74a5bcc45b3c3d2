package org.budayang.api.locker;

/** Which way the paper goes. */
public enum Direction {
    /** A citizen's materials for the department's staff. */
    IN,
    /** A department's result for the citizen. */
    OUT
}
