/**
 * Peripherals of a terminal: the driver SPI ({@link DeviceDriver} over a {@link SerialChannel}),
 * the capabilities drivers publish ({@link IdCardReader}, {@link ReceiptPrinter},
 * {@link LockBoard}, {@link QrScanner}, {@link DeviceActions}), device health
 * ({@link DeviceRegistry}) and the simulator SPI ({@link DeviceSimulator}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.budayang.api.device;
