package org.budayang.api.device;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Every configured device and its health; provided by the core. */
@ProviderType
public interface DeviceRegistry {
    List<DeviceInfo> devices();

    /** The devices attached to one terminal (empty when it has none configured). */
    List<DeviceInfo> devices(String terminal);

    Optional<DeviceInfo> device(String id);
}
