package org.budayang.api.module;

public enum ModuleState {
    /** Loaded: its items can appear in menus (where enabled). */
    ACTIVE,
    /** Its descriptor was rejected; nothing of it reached the catalogue. */
    REFUSED
}
