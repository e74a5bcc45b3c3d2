/**
 * Wire protocols of the hall's peripherals, as pure encoders and decoders (no I/O): the drivers
 * that use them over a serial channel come with the device SPI.
 */
package org.budayang.core.device.internal;
