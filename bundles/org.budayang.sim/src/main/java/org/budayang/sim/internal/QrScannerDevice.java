package org.budayang.sim.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A QR code scanner in serial mode: each scan is sent as the code's text (UTF-8) and a line end,
 * {@code suffix=crlf} (the default), {@code cr} or {@code lf}. It ignores what the host sends.
 * It has no checksum, so {@code reply=corrupt} inverts every byte of the text and keeps the line
 * end: the driver gets a line that is not text.
 */
final class QrScannerDevice extends SimulatorBase {
    private String suffix = "\r\n";
    private long scans;

    QrScannerDevice(Consumer<byte[]> toDriver) {
        super(Simulators.QrScanner.TYPE, toDriver);
    }

    @Override
    void accept(byte[] bytes) {
        // a scanner in serial mode takes no commands
    }

    @Override
    byte[] corrupt(byte[] reply) {
        byte[] c = reply.clone();
        for (int i = 0; i < c.length - suffix.length(); i++) {
            c[i] ^= (byte) 0xFF;
        }
        return c;
    }

    @Override
    boolean behaviour(String key, String value) {
        switch (key) {
            case "scan" -> {
                scans++;
                reply((value + suffix).getBytes(StandardCharsets.UTF_8));
            }
            case "suffix" -> suffix = switch (value.trim()) {
                case "crlf" -> "\r\n";
                case "cr" -> "\r";
                case "lf" -> "\n";
                default -> throw bad(key, "crlf, cr or lf", value);
            };
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    String ownBehaviours() {
        return "scan=<text>, suffix=crlf|cr|lf";
    }

    @Override
    void ownState(Map<String, Object> state) {
        state.put("suffix", suffix.equals("\r\n") ? "crlf" : suffix.equals("\r") ? "cr" : "lf");
        state.put("scans", scans);
    }

    @Override
    String summary() {
        return scans + " scan(s)";
    }
}
