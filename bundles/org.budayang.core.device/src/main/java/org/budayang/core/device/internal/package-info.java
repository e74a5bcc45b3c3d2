/**
 * The device runtime: configured devices ({@link org.budayang.core.device.internal.DeviceManager}),
 * their ports ({@link org.budayang.core.device.internal.PortChannel} over jSerialComm or a
 * simulator), health and supervision; the drivers and their wire protocols are in the
 * sub-packages.
 */
package org.budayang.core.device.internal;
