package org.budayang.api.device;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs simulators by name: in process for {@code sim:<name>} ports, or on the far end of a
 * pseudo-terminal pair so that the real serial path is exercised.
 */
@ProviderType
public interface SimulatorHost {
    /** Starts a simulator wired to a driver in the same JVM (a {@code sim:<name>} port). */
    SimulatedDevice open(String type, String name, Map<String, String> options, Consumer<byte[]> toDriver);

    /** Starts a simulator on a pseudo-terminal (or serial device) path. */
    SimulatedDevice attach(String type, String name, Path port, Map<String, String> options);

    /** A running simulator by name. */
    Optional<SimulatedDevice> find(String name);

    Set<String> names();

    /** Simulator types available now. */
    Set<String> types();
}
