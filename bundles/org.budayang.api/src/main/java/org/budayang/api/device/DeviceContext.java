package org.budayang.api.device;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** What the core hands a driver when it attaches a configured device. */
@ProviderType
public interface DeviceContext {
    String deviceId();

    String terminal();

    SerialChannel channel();

    /** Driver options from the configuration (everything not a serial setting), as text. */
    Map<String, String> options();

    /** The device answered correctly; {@code reply} is a short description for health (no personal data). */
    void ok(String reply);

    /** An exchange failed; three in a row take the device offline until it answers again. */
    void failed(String problem);

    /**
     * Offers a capability of this device to the platform, registered as a service with
     * {@link Capabilities#TERMINAL}, {@link Capabilities#DEVICE} and {@link Capabilities#NAME}
     * while the device is not offline. Call during {@link DeviceDriver#attach}.
     */
    <S> void publish(Class<S> type, S service, String capability);
}
