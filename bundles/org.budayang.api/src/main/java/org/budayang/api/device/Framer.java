package org.budayang.api.device;

import java.nio.ByteBuffer;

/**
 * Finds where a frame ends in the bytes received so far, so that {@link SerialChannel} can hand
 * whole frames to a driver.
 */
@FunctionalInterface
public interface Framer {
    /**
     * @param pending the bytes received and not yet consumed, from position to limit (read-only;
     *        do not move its position)
     * @return {@code n > 0}: the first n bytes are one frame; {@code 0}: need more bytes;
     *         {@code n < 0}: discard the first -n bytes (noise before a frame start) and look again
     */
    int frame(ByteBuffer pending);

    /** Frames that end with a line feed (optionally preceded by a carriage return), e.g. scanners. */
    static Framer lines() {
        return pending -> {
            for (int i = pending.position(); i < pending.limit(); i++) {
                if (pending.get(i) == '\n' || pending.get(i) == '\r') {
                    return i - pending.position() + 1;
                }
            }
            return 0;
        };
    }

    /** Frames of a fixed length. */
    static Framer fixed(int length) {
        return pending -> pending.remaining() >= length ? length : 0;
    }
}
