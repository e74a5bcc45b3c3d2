package org.budayang.core.device.internal.escpos;

import java.time.Duration;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.Receipt;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.core.device.internal.DriverOptions;
import org.budayang.core.device.internal.SerialDriver;
import org.budayang.core.device.internal.SerialSession;
import org.osgi.service.component.annotations.Component;

/**
 * Driver of ESC/POS receipt printers (README-8a-escpos.md has the bytes). Health comes from the
 * real-time status commands, which a printer answers even while busy: {@code DLE EOT 1}
 * (printer status) and {@code DLE EOT 4} (roll paper sensor), one byte each. Attach, probe and
 * every print ask both; paper out (or the printer reporting itself offline) refuses the print
 * and counts as a failed exchange, so a printer left without paper leaves the menu after three
 * probes and comes back once refilled.
 *
 * <p>Options: {@code timeout.ms} (status reply timeout, default 1000), {@code qr.size} (QR
 * module size 1..16, default 6).
 */
@Component(service = DeviceDriver.class, property = DeviceDriver.TYPE + "=" + EscPosDriver.TYPE)
public final class EscPosDriver extends SerialDriver<EscPosDriver.Printer> {
    public static final String TYPE = "escpos";
    static final byte[] STATUS_PRINTER = {0x10, 0x04, 0x01};
    static final byte[] STATUS_PAPER = {0x10, 0x04, 0x04};
    /** Bits 1 and 4 of a status byte are always 1, bits 0 and 7 always 0. */
    static final int FIXED_MASK = 0x93;
    static final int FIXED_VALUE = 0x12;
    /** DLE EOT 1, bit 3: the printer is offline (cover open, paper out, error). */
    static final int OFFLINE_BIT = 0x08;
    /** DLE EOT 4, bits 5 and 6: roll paper end detected. */
    static final int PAPER_END_BITS = 0x60;

    public EscPosDriver() {
        super(TYPE, Capabilities.RECEIPT_PRINTER, ReceiptPrinter.class);
    }

    @Override
    protected Printer start(DeviceContext context, DriverOptions o) throws DeviceException {
        Printer p = new Printer(context, o.replyTimeout(), o.integer("qr.size", EscPos.QR_DEFAULT_MODULE_SIZE, 1, 16));
        p.start();
        return p;
    }

    /**
     * The bytes of a receipt: init; title centred and bold; the lines left-aligned; the QR code
     * centred; the footer; feed 3 lines; cut. Each text line ends with LF.
     */
    public static byte[] render(Receipt r, int qrSize) {
        EscPos p = EscPos.builder().init();
        if (r.title() != null && !r.title().isBlank()) {
            p.align(EscPos.Align.CENTER).bold(true).line(r.title()).bold(false).align(EscPos.Align.LEFT);
        }
        for (String line : r.lines()) {
            p.line(line);
        }
        if (r.qrCode() != null && !r.qrCode().isEmpty()) {
            p.align(EscPos.Align.CENTER).qr(r.qrCode(), qrSize).align(EscPos.Align.LEFT);
        }
        if (r.footer() != null && !r.footer().isBlank()) {
            p.line(r.footer());
        }
        return p.feed(3).cut().toBytes();
    }

    /** One attached printer. */
    static final class Printer extends SerialSession implements ReceiptPrinter {
        private final Duration timeout;
        private final int qrSize;

        Printer(DeviceContext context, Duration timeout, int qrSize) {
            super(context);
            this.timeout = timeout;
            this.qrSize = qrSize;
        }

        void start() throws DeviceException {
            locked(this::check);
        }

        @Override
        public void probe() throws DeviceException {
            unlessBusy(this::check);
        }

        @Override
        public void print(Receipt receipt) throws DeviceException {
            byte[] bytes;
            try {
                bytes = render(receipt, qrSize);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("this receipt cannot be printed: " + e.getMessage(), e);
            }
            locked(() -> {
                check();
                channel.write(bytes);
                context.ok("printed a receipt of " + bytes.length + " bytes");
            });
        }

        /** Both real-time statuses; a fault or paper out fails the exchange and refuses. */
        private void check() throws DeviceException {
            int printer = status(STATUS_PRINTER, "printer status (DLE EOT 1)");
            int paper = status(STATUS_PAPER, "paper status (DLE EOT 4)");
            if ((paper & PAPER_END_BITS) != 0) {
                throw failed(DeviceException.Reason.REFUSED, "paper out");
            }
            if ((printer & OFFLINE_BIT) != 0) {
                throw failed(DeviceException.Reason.REFUSED, "printer offline (cover open or error)");
            }
            context.ok(String.format("status %02X, paper %02X", printer, paper));
        }

        private int status(byte[] request, String what) throws DeviceException {
            int s = request(request, Framer.fixed(1), timeout, what)[0] & 0xFF;
            if ((s & FIXED_MASK) != FIXED_VALUE) {
                throw failed(DeviceException.Reason.BAD_REPLY,
                        String.format("%s: %02X is not a status byte (bits 1 and 4 set, 0 and 7 clear)", what, s));
            }
            return s;
        }
    }
}
