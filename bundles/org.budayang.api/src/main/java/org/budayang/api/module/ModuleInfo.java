package org.budayang.api.module;

import java.util.List;

/**
 * A department bundle as the extender sees it.
 *
 * @param department department code from the manifest header (may be blank for a refused bundle)
 * @param reason why it was refused, naming bundle, file, field and cause; null when active
 * @param warnings what the platform ignored of this bundle (e.g. a service it registered for
 *        another department), each once, in plain words; empty when there is nothing to say
 * @param signer who signed the jar (the signing certificate's subject), null when unsigned
 * @since 1.1
 */
public record ModuleInfo(String department, String bundle, String version, long bundleId,
        ModuleState state, String reason, int items, List<String> warnings, String signer) {

    public ModuleInfo {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A module without warnings or signer (the 1.0 shape). */
    public ModuleInfo(String department, String bundle, String version, long bundleId,
            ModuleState state, String reason, int items) {
        this(department, bundle, version, bundleId, state, reason, items, List.of(), null);
    }

    /** This module with one more warning (if it is not there yet). */
    public ModuleInfo withWarning(String warning) {
        if (warnings.contains(warning)) {
            return this;
        }
        List<String> w = new java.util.ArrayList<>(warnings);
        w.add(warning);
        return new ModuleInfo(department, bundle, version, bundleId, state, reason, items, w, signer);
    }
}
