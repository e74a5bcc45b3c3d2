package org.budayang.core.device.internal;

import java.io.IOException;

/**
 * What carries a channel's bytes: a serial line (or pseudo-terminal) through jSerialComm, or an
 * in-process simulator. Incoming bytes go to the {@link PortChannel} the wire was opened for.
 */
interface Wire extends AutoCloseable {
    /** Sends all bytes; an IOException means the port is gone. */
    void write(byte[] bytes) throws IOException;

    /** Releases the port; idempotent, never throws. */
    @Override
    void close();
}
