package org.budayang.api.device;

import java.time.Duration;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Capability {@code idcard}: the terminal's resident ID card reader. */
@ProviderType
public interface IdCardReader {
    /**
     * Waits up to {@code timeout} for a card on the reader and reads its text block.
     *
     * @return empty when no card was put on the reader in time
     * @throws DeviceException when the reader does not answer or answers garbage
     */
    Optional<IdCard> read(Duration timeout) throws DeviceException;
}
