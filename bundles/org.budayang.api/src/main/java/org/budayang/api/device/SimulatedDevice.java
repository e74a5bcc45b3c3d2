package org.budayang.api.device;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/** One running simulated device. */
@ConsumerType
public interface SimulatedDevice extends AutoCloseable {
    /** Bytes the driver wrote. */
    void received(byte[] bytes);

    /**
     * Changes behaviour, as {@code key=value}. Every simulator understands
     * {@code reply=normal|none|corrupt|garbage} and {@code delay=<ms>}; others are its own
     * (e.g. {@code card=present|absent}, {@code door.1.3=stuck}, {@code scan=<text>}).
     *
     * @throws IllegalArgumentException for a behaviour it does not know
     */
    void script(String behaviour);

    /** What the device holds now, for tests and the console (e.g. printed text, door states). */
    Map<String, Object> state();

    @Override
    void close();
}
