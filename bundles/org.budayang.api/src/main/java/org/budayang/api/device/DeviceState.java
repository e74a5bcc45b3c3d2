package org.budayang.api.device;

/** Health of one device as the platform sees it. */
public enum DeviceState {
    /** The last exchange succeeded. */
    ONLINE,
    /** One or two exchanges in a row failed; the device is still offered. */
    DEGRADED,
    /** The port is gone or the device stopped answering; its capabilities are withdrawn. */
    OFFLINE
}
