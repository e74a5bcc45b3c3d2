package org.budayang.api.module;

/**
 * A department bundle as the extender sees it.
 *
 * @param department department code from the manifest header (may be blank for a refused bundle)
 * @param reason why it was refused, naming bundle, file, field and cause; null when active
 */
public record ModuleInfo(String department, String bundle, String version, long bundleId,
        ModuleState state, String reason, int items) {
}
