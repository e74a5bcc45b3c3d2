package org.budayang.api.device;

/** Service properties of the capability services drivers publish, and the core capability names. */
public final class Capabilities {
    /** The terminal the device belongs to. */
    public static final String TERMINAL = "budayang.terminal";
    /** The device id. */
    public static final String DEVICE = "budayang.device";
    /** The capability name, as items require it (e.g. {@code idcard}). */
    public static final String NAME = "budayang.capability";

    public static final String IDCARD = "idcard";
    public static final String QRCODE = "qrcode";
    public static final String RECEIPT_PRINTER = "printer.receipt";
    public static final String LOCKER = "locker";

    private Capabilities() {
    }
}
