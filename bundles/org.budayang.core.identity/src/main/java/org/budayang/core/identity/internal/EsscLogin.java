package org.budayang.core.identity.internal;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Login with the electronic social-security card (电子社保卡): the terminal's scanner reads the
 * card's QR code and passes the text as {@code {"code": "ESSC1.…"}}. Same format and checks as
 * the app's code ({@link SignedCode}), with the card issuer's own keys and the extra claim
 * {@code card} (the social-security card number, never logged).
 */
@Component(configurationPid = EsscLogin.PID, property = LoginMethod.PROPERTY + "=" + EsscLogin.NAME)
@Designate(ocd = EsscConfig.class)
public final class EsscLogin implements LoginMethod {
    static final String NAME = "essc";
    static final String PID = "org.budayang.identity.essc";
    static final String PREFIX = "ESSC1";
    private final SignedCode codes;

    @Activate
    public EsscLogin(EsscConfig config) {
        this(config.publicKey(), config.max_age_seconds(), Clock.systemUTC(), SignedCode.DEFAULT_CAPACITY);
    }

    EsscLogin(String[] publicKeys, long maxAgeSeconds, Clock clock, int capacity) {
        codes = new SignedCode(NAME, PREFIX, PID, "an electronic social-security card code", publicKeys,
                maxAgeSeconds, Set.of("card"), clock, capacity);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        return codes.authenticate(terminal, credentials).person();
    }
}
