package org.budayang.core.identity.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.device.QrScanner;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginRejected;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The ID-card readers and QR scanners of the terminals, as the device runtime publishes them
 * (one service per device, with {@code budayang.terminal}); they come and go with the devices'
 * health. Logins that read the card or wait for a scan themselves take them from here.
 */
@Component(service = TerminalDevices.class)
public final class TerminalDevices {
    /** The longest a login may make the terminal wait for a card or a scan. */
    static final int MAX_WAIT_SECONDS = 120;

    private final Map<IdCardReader, String> readers = new ConcurrentHashMap<>();
    private final Map<QrScanner, String> scanners = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addReader(IdCardReader reader, Map<String, Object> properties) {
        readers.put(reader, String.valueOf(properties.get(Capabilities.TERMINAL)));
    }

    void removeReader(IdCardReader reader) {
        readers.remove(reader);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addScanner(QrScanner scanner, Map<String, Object> properties) {
        scanners.put(scanner, String.valueOf(properties.get(Capabilities.TERMINAL)));
    }

    void removeScanner(QrScanner scanner) {
        scanners.remove(scanner);
    }

    Optional<IdCardReader> reader(String terminal) {
        return readers.entrySet().stream().filter(e -> e.getValue().equals(terminal)).map(Map.Entry::getKey).findFirst();
    }

    Optional<QrScanner> scanner(String terminal) {
        return scanners.entrySet().stream().filter(e -> e.getValue().equals(terminal)).map(Map.Entry::getKey).findFirst();
    }

    /**
     * How long to wait: the request's {@code timeoutSeconds} (1..{@value #MAX_WAIT_SECONDS}) or the
     * configured default.
     */
    static Duration timeout(Map<String, Object> credentials, Duration dflt) throws LoginRejected {
        Object t = credentials.get("timeoutSeconds");
        if (t == null) {
            return dflt;
        }
        if (!(t instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1
                || n.intValue() > MAX_WAIT_SECONDS) {
            throw new LoginRejected("invalid_request",
                    "\"timeoutSeconds\" must be a whole number of seconds from 1 to " + MAX_WAIT_SECONDS);
        }
        return Duration.ofSeconds(n.intValue());
    }

    /** Waits for the next code scanned at the terminal. */
    String scan(Terminal terminal, Map<String, Object> credentials, Duration dflt) throws LoginRejected {
        Duration wait = timeout(credentials, dflt);
        QrScanner scanner = scanner(terminal.id()).orElseThrow(() -> new LoginRejected("device_unavailable",
                "this terminal's QR code scanner is not working right now; please use another way to log in"));
        Optional<String> code;
        try {
            code = scanner.nextScan(wait);
        } catch (DeviceException e) {
            throw new LoginRejected("device_unavailable",
                    "the QR code scanner stopped working; please try again or use another way to log in");
        }
        return code.orElseThrow(() -> new LoginRejected("no_code",
                "no code was scanned within " + wait.toSeconds() + " seconds; please show the code to the scanner"));
    }
}
