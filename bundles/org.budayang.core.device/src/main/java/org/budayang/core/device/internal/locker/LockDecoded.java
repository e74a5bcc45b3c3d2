package org.budayang.core.device.internal.locker;

/** One item out of {@link LockReplyDecoder}: a good {@link LockReply} or a {@link BadChecksum}. */
public sealed interface LockDecoded permits LockReply, LockDecoded.BadChecksum {

    /**
     * A 5-byte frame whose last byte is not the XOR of the four before it.
     *
     * @param frame          the five bytes as received
     * @param expected       XOR of the first four bytes (what the checksum should have been)
     * @param actual         the checksum byte received
     * @param streamOffset   offset of the frame's first byte in everything fed to the decoder
     */
    record BadChecksum(byte[] frame, int expected, int actual, long streamOffset)
            implements LockDecoded {
        public BadChecksum {
            frame = frame.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }

        @Override
        public String toString() {
            StringBuilder hex = new StringBuilder();
            for (byte b : frame) {
                if (hex.length() > 0) {
                    hex.append(' ');
                }
                hex.append(String.format("%02X", b & 0xFF));
            }
            return String.format("bad checksum at stream offset %d in frame [%s]: expected 0x%02X, got 0x%02X",
                    streamOffset, hex, expected, actual);
        }
    }
}
