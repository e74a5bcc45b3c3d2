package org.budayang.core.device.internal.qr;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.budayang.api.device.QrScanner;
import org.budayang.core.device.internal.Hex;
import org.budayang.core.device.internal.ScriptedPort;
import org.junit.Test;

public class QrScannerDriverTest {
    final ScriptedPort port = new ScriptedPort(Map.of());

    QrScanner attached() throws Exception {
        new QrScannerDriver().attach(port);
        return port.service("qrcode", QrScanner.class);
    }

    @Test
    public void aScanIsOneLineAndTheScannerIsNeverWrittenTo() throws Exception {
        QrScanner scanner = attached();
        CompletableFuture<Optional<String>> next = CompletableFuture.supplyAsync(() -> {
            try {
                return scanner.nextScan(Duration.ofSeconds(2));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(100);
        // "BDYAPP1.abc.def" CR LF
        port.deviceSends(Hex.bytes("42 44 59 41 50 50 31 2E 61 62 63 2E 64 65 66 0D 0A"));
        assertEquals(Optional.of("BDYAPP1.abc.def"), next.get(2, TimeUnit.SECONDS));
        assertEquals(0, port.written().length);
    }

    @Test
    public void aScanFromBeforeTheCallIsDropped() throws Exception {
        QrScanner scanner = attached();
        port.deviceSends("left over\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), scanner.nextScan(Duration.ofMillis(150)));
    }

    @Test
    public void crLfIsOneScanAndUtf8IsDecoded() throws Exception {
        QrScanner scanner = attached();
        CompletableFuture<Optional<String>> next = CompletableFuture.supplyAsync(() -> {
            try {
                Optional<String> first = scanner.nextScan(Duration.ofSeconds(2));
                Optional<String> second = scanner.nextScan(Duration.ofMillis(200));
                return first.map(f -> f + "|" + second.orElse("none"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(100);
        port.deviceSends("办件\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("办件|none"), next.get(3, TimeUnit.SECONDS));
    }
}
