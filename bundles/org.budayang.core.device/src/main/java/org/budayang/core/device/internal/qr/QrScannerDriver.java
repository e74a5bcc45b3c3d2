package org.budayang.core.device.internal.qr;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Framer;
import org.budayang.api.device.QrScanner;
import org.budayang.core.device.internal.DriverOptions;
import org.budayang.core.device.internal.SerialDriver;
import org.budayang.core.device.internal.SerialSession;
import org.osgi.service.component.annotations.Component;

/**
 * Driver of serial QR code scanners: each scan arrives as one line of UTF-8 text ended by CR,
 * LF or CR LF (empty lines are ignored, so CR LF is one scan). A scanner has no command to ask
 * whether it is there: an open port counts as healthy, and an unplugged scanner is noticed by
 * its port disappearing (read error), not by a probe.
 */
@Component(service = DeviceDriver.class, property = DeviceDriver.TYPE + "=" + QrScannerDriver.TYPE)
public final class QrScannerDriver extends SerialDriver<QrScannerDriver.Scanner> {
    public static final String TYPE = "qrscanner";

    public QrScannerDriver() {
        super(TYPE, Capabilities.QRCODE, QrScanner.class);
    }

    @Override
    protected Scanner start(DeviceContext context, DriverOptions options) throws DeviceException {
        Scanner s = new Scanner(context);
        context.channel().clearInput();
        context.ok("port open");
        return s;
    }

    static final class Scanner extends SerialSession implements QrScanner {
        Scanner(DeviceContext context) {
            super(context);
        }

        @Override
        public void probe() {
            // Nothing to ask a scanner; the port being open is all there is to know.
            context.ok("port open");
        }

        @Override
        public Optional<String> nextScan(Duration timeout) throws DeviceException {
            long deadline = System.nanoTime() + timeout.toNanos();
            if (!tryLock(timeout)) {
                return Optional.empty();
            }
            try {
                // A code left over from the previous citizen must never log in the next one.
                channel.clearInput();
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    byte[] line;
                    try {
                        line = channel.readFrame(Framer.lines(), Duration.ofNanos(left));
                    } catch (DeviceException e) {
                        if (e.reason() == DeviceException.Reason.TIMEOUT) {
                            return Optional.empty();
                        }
                        throw e;
                    }
                    String text = new String(line, StandardCharsets.UTF_8).strip();
                    if (!text.isEmpty()) {
                        context.ok("scan of " + text.length() + " characters");
                        return Optional.of(text);
                    }
                }
            } finally {
                unlock();
            }
        }
    }
}
