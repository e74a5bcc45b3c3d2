package org.budayang.core.device.internal;

import java.util.Set;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;

/**
 * What the core's own drivers share: one type, one capability, offered as one service for as
 * long as the device is attached. A driver only starts its session (talking to the device once);
 * this publishes it.
 *
 * @param <S> the driver's session, which is also the capability's service
 */
public abstract class SerialDriver<S extends SerialSession> implements DeviceDriver {
    private final String type;
    private final String capability;
    private final Class<? super S> service;

    protected SerialDriver(String type, String capability, Class<? super S> service) {
        this.type = type;
        this.capability = capability;
        this.service = service;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Set<String> capabilities() {
        return Set.of(capability);
    }

    @Override
    public final Session attach(DeviceContext context) throws DeviceException {
        S session = start(context, new DriverOptions(context.options()));
        context.publish(service, session, capability);
        return session;
    }

    /**
     * Reads the options and talks to the device once; throws when it does not answer as this
     * type should (nothing is published then).
     */
    protected abstract S start(DeviceContext context, DriverOptions options) throws DeviceException;
}
