package org.budayang.api.device;

import java.time.Duration;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Capability {@code qrcode}: a QR code scanner that sends each scan as one line of text. */
@ProviderType
public interface QrScanner {
    /**
     * Waits for the next code scanned after this call (older scans are dropped, so that a code
     * left over from the previous citizen is never used).
     *
     * @return empty when nothing was scanned in time
     */
    Optional<String> nextScan(Duration timeout) throws DeviceException;
}
