package org.budayang.core.identity.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import org.budayang.api.identity.LoginMethod;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Login by showing the app's dynamic code (亮码): the terminal's scanner reads the code from the
 * citizen's phone and passes the text as {@code {"code": "BDYAPP1.…"}}. The format and checks
 * are {@link SignedCode}'s. Registered even without a key, so that a terminal offering the
 * method gets a clear {@code not_configured} instead of {@code unknown_method}.
 */
@Component(service = LoginMethod.class, configurationPid = ShowCodeLogin.PID, property = LoginMethod.PROPERTY + "=" + ShowCodeLogin.NAME)
@Designate(ocd = ShowCodeConfig.class)
public final class ShowCodeLogin extends ScannedCodeLogin {
    static final String NAME = "show";
    static final String PID = "org.budayang.identity.show";
    static final String PREFIX = "BDYAPP1";

    @Activate
    public ShowCodeLogin(@Reference TerminalDevices devices, ShowCodeConfig config) {
        this(config.publicKey(), config.max_age_seconds(), Clock.systemUTC(), SignedCode.DEFAULT_CAPACITY, devices,
                Duration.ofSeconds(Math.max(1, config.scanner_timeout_seconds())));
    }

    /** Without a scanner (the request carries the code). */
    ShowCodeLogin(ShowCodeConfig config) {
        this(new TerminalDevices(), config);
    }

    ShowCodeLogin(String[] publicKeys, long maxAgeSeconds, Clock clock, int capacity) {
        this(publicKeys, maxAgeSeconds, clock, capacity, new TerminalDevices(), Duration.ofSeconds(20));
    }

    ShowCodeLogin(String[] publicKeys, long maxAgeSeconds, Clock clock, int capacity, TerminalDevices devices,
            Duration scannerTimeout) {
        super(NAME, new SignedCode(NAME, PREFIX, PID, "the app's login code", publicKeys, maxAgeSeconds, Set.of(), clock,
                    capacity), devices, scannerTimeout);
    }
}
