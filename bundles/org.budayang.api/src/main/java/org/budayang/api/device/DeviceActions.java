package org.budayang.api.device;

import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Generic capability for department devices (a height/vision tester, a UKey dispenser):
 * named actions the terminal triggers through
 * {@code POST /api/v1/terminals/{terminal}/devices/{device}/actions/{action}}. Published like
 * any capability, under the device's own capability names.
 */
@ConsumerType
public interface DeviceActions {
    Set<String> actions();

    /**
     * @param arguments the request's JSON object (strings, numbers, booleans, lists, maps)
     * @return a JSON-able result
     * @throws IllegalArgumentException for an unknown action or bad arguments (answered 400)
     */
    Map<String, Object> perform(String action, Map<String, Object> arguments) throws DeviceException;
}
