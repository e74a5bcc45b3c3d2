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
 * Login with the electronic social-security card (电子社保卡): the terminal's scanner reads the
 * card's QR code and passes the text as {@code {"code": "ESSC1.…"}}. Same format and checks as
 * the app's code ({@link SignedCode}), with the card issuer's own keys and the extra claim
 * {@code card} (the social-security card number, never logged).
 */
@Component(service = LoginMethod.class, configurationPid = EsscLogin.PID, property = LoginMethod.PROPERTY + "=" + EsscLogin.NAME)
@Designate(ocd = EsscConfig.class)
public final class EsscLogin extends ScannedCodeLogin {
    static final String NAME = "essc";
    static final String PID = "org.budayang.identity.essc";
    static final String PREFIX = "ESSC1";

    @Activate
    public EsscLogin(@Reference TerminalDevices devices, EsscConfig config) {
        this(config.publicKey(), config.max_age_seconds(), Clock.systemUTC(), SignedCode.DEFAULT_CAPACITY, devices,
                Duration.ofSeconds(Math.max(1, config.scanner_timeout_seconds())));
    }

    /** Without a scanner (the request carries the code). */
    EsscLogin(EsscConfig config) {
        this(new TerminalDevices(), config);
    }

    EsscLogin(String[] publicKeys, long maxAgeSeconds, Clock clock, int capacity) {
        this(publicKeys, maxAgeSeconds, clock, capacity, new TerminalDevices(), Duration.ofSeconds(20));
    }

    EsscLogin(String[] publicKeys, long maxAgeSeconds, Clock clock, int capacity, TerminalDevices devices,
            Duration scannerTimeout) {
        super(NAME, new SignedCode(NAME, PREFIX, PID, "an electronic social-security card code", publicKeys,
                    maxAgeSeconds, Set.of("card"), clock, capacity), devices, scannerTimeout);
    }
}
