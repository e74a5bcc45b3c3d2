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
 * Login by showing the app's dynamic code (亮码): the terminal's scanner reads the code from the
 * citizen's phone and passes the text as {@code {"code": "BDYAPP1.…"}}. The format and checks
 * are {@link SignedCode}'s. Registered even without a key, so that a terminal offering the
 * method gets a clear {@code not_configured} instead of {@code unknown_method}.
 */
@Component(configurationPid = ShowCodeLogin.PID, property = LoginMethod.PROPERTY + "=" + ShowCodeLogin.NAME)
@Designate(ocd = ShowCodeConfig.class)
public final class ShowCodeLogin implements LoginMethod {
    static final String NAME = "show";
    static final String PID = "org.budayang.identity.show";
    static final String PREFIX = "BDYAPP1";
    private final SignedCode codes;

    @Activate
    public ShowCodeLogin(ShowCodeConfig config) {
        this(config.publicKey(), config.max_age_seconds(), Clock.systemUTC(), SignedCode.DEFAULT_CAPACITY);
    }

    ShowCodeLogin(String[] publicKeys, long maxAgeSeconds, Clock clock, int capacity) {
        codes = new SignedCode(NAME, PREFIX, PID, "the app's login code", publicKeys, maxAgeSeconds, Set.of(), clock,
                capacity);
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
