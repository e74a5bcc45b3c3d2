package org.budayang.core.device.internal.escpos;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.Receipt;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.api.device.SerialChannel;
import org.budayang.core.device.internal.DriverOptions;
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
public final class EscPosDriver implements DeviceDriver {
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

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> capabilities() {
        return Set.of(Capabilities.RECEIPT_PRINTER);
    }

    @Override
    public Session attach(DeviceContext context) throws DeviceException {
        DriverOptions o = new DriverOptions(context.options());
        Printer p = new Printer(context, Duration.ofMillis(o.integer("timeout.ms", 1000, 50, 60_000)),
                o.integer("qr.size", EscPos.QR_DEFAULT_MODULE_SIZE, 1, 16));
        p.checkLocked();
        context.publish(ReceiptPrinter.class, p, Capabilities.RECEIPT_PRINTER);
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
    static final class Printer implements Session, ReceiptPrinter {
        private final DeviceContext context;
        private final SerialChannel channel;
        private final Duration timeout;
        private final int qrSize;
        private final ReentrantLock lock = new ReentrantLock();

        Printer(DeviceContext context, Duration timeout, int qrSize) {
            this.context = context;
            this.channel = context.channel();
            this.timeout = timeout;
            this.qrSize = qrSize;
        }

        void checkLocked() throws DeviceException {
            lock.lock();
            try {
                check();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void probe() throws DeviceException {
            if (!lock.tryLock()) {
                return;
            }
            try {
                check();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void print(Receipt receipt) throws DeviceException {
            byte[] bytes;
            try {
                bytes = render(receipt, qrSize);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("this receipt cannot be printed: " + e.getMessage(), e);
            }
            lock.lock();
            try {
                check();
                channel.write(bytes);
                context.ok("printed a receipt of " + bytes.length + " bytes");
            } finally {
                lock.unlock();
            }
        }

        /** Both real-time statuses; a fault or paper out fails the exchange and refuses. */
        private void check() throws DeviceException {
            int printer = status(STATUS_PRINTER, "printer status (DLE EOT 1)");
            int paper = status(STATUS_PAPER, "paper status (DLE EOT 4)");
            if ((paper & PAPER_END_BITS) != 0) {
                context.failed("paper out");
                throw new DeviceException(DeviceException.Reason.REFUSED, "paper out");
            }
            if ((printer & OFFLINE_BIT) != 0) {
                context.failed("printer offline (cover open or error)");
                throw new DeviceException(DeviceException.Reason.REFUSED, "printer offline (cover open or error)");
            }
            context.ok(String.format("status %02X, paper %02X", printer, paper));
        }

        private int status(byte[] request, String what) throws DeviceException {
            channel.clearInput();
            channel.write(request);
            byte[] b;
            try {
                b = channel.readFrame(Framer.fixed(1), timeout);
            } catch (DeviceException e) {
                if (e.reason() == DeviceException.Reason.TIMEOUT) {
                    String why = what + ": " + e.getMessage();
                    context.failed(why);
                    throw new DeviceException(DeviceException.Reason.TIMEOUT, why);
                }
                throw e;
            }
            int s = b[0] & 0xFF;
            if ((s & FIXED_MASK) != FIXED_VALUE) {
                String why = String.format("%s: %02X is not a status byte (bits 1 and 4 set, 0 and 7 clear)", what, s);
                context.failed(why);
                throw new DeviceException(DeviceException.Reason.BAD_REPLY, why);
            }
            return s;
        }

        @Override
        public void close() {
            // The core closes the port.
        }
    }
}
