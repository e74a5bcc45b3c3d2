package org.budayang.api.module;

/** How a bundle declares itself as a department module. */
public interface Modules {
    /** Manifest header whose value is the department code, e.g. {@code Budayang-Module: tax}. */
    String HEADER = "Budayang-Module";
    /** Where the descriptor sits inside the bundle. */
    String DESCRIPTOR = "OSGI-INF/budayang/module.json";
}
