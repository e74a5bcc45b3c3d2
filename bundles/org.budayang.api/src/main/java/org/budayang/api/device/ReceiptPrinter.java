package org.budayang.api.device;

import org.osgi.annotation.versioning.ProviderType;

/** Capability {@code printer.receipt}: a thermal receipt printer. */
@ProviderType
public interface ReceiptPrinter {
    /** Prints and cuts. @throws DeviceException when the printer is gone or reports a fault */
    void print(Receipt receipt) throws DeviceException;
}
