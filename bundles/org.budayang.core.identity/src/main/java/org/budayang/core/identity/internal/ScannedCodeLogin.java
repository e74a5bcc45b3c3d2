package org.budayang.core.identity.internal;

import java.time.Duration;
import java.util.Map;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;

/**
 * A login by a signed code that a scanner reads ({@link ShowCodeLogin}, {@link EsscLogin}): the
 * request carries the scanned text as {@code "code"}, or asks with {@code "scanner": true} for
 * the next scan of the terminal's own scanner.
 */
abstract class ScannedCodeLogin implements LoginMethod {
    private final String name;
    private final SignedCode codes;
    private final TerminalDevices devices;
    private final Duration scannerTimeout;

    ScannedCodeLogin(String name, SignedCode codes, TerminalDevices devices, Duration scannerTimeout) {
        this.name = name;
        this.codes = codes;
        this.devices = devices;
        this.scannerTimeout = scannerTimeout;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        if (Boolean.TRUE.equals(credentials.get("scanner"))) {
            // The terminal's own scanner reads the code: wait for the next scan there.
            String code = devices.scan(terminal, credentials, scannerTimeout);
            return codes.authenticate(terminal, Map.of("code", code)).person();
        }
        return codes.authenticate(terminal, credentials).person();
    }
}
