package org.budayang.core.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.RedirectLogin;
import org.budayang.api.identity.ResidentId;
import org.budayang.api.text.TextRule;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jwt.JWTClaimsSet;

/**
 * Login with the unified identity account (统一身份认证): OpenID Connect authorization-code flow
 * with PKCE (S256) against the configured provider.
 * <ol>
 * <li>The terminal {@linkplain #start starts} a login: a fresh {@code state}, PKCE verifier and
 * {@code nonce} are remembered for {@link #LIFETIME} and the provider's authorization address
 * goes to the citizen (QR code or the terminal's browser).
 * <li>The provider sends the browser back to the callback, which {@linkplain #complete completes}
 * the login: the code is exchanged with the verifier and the ID token validated
 * ({@link OidcProvider}); the login of that state is then done, with the person.
 * <li>The terminal opens the session with {@code {"method": "oidc", "state": ...}}: once, only at
 * the terminal that started it.
 * </ol>
 * Refusals: {@code not_configured}, {@code unknown_state} (never started, or expired),
 * {@code wrong_terminal}, {@code not_completed}, {@code state_used}, {@code login_denied} (the
 * citizen cancelled at the provider), {@code invalid_token}, {@code invalid_id_number},
 * {@code provider_unavailable}, {@code busy}. A failed login stays failed with its reason, so the
 * polling terminal learns why. Logins live in memory only: a restart (or a configuration change,
 * which restarts this component) forgets the pending ones and the citizen starts again. The state,
 * code, verifier and tokens are never logged; the resident ID number only masked.
 */
@Component(service = { LoginMethod.class, RedirectLogin.class }, configurationPid = OidcLogin.PID,
        property = LoginMethod.PROPERTY + "=" + OidcLogin.NAME)
@Designate(ocd = OidcConfig.class)
public final class OidcLogin implements LoginMethod, RedirectLogin {
    static final String NAME = "oidc";
    static final String PID = "org.budayang.identity.oidc";
    /** Long enough to log in on a phone, short enough that a forgotten QR code soon dies. */
    static final Duration LIFETIME = Duration.ofMinutes(5);
    /** Pending logins at once; beyond it someone is flooding the start endpoint. */
    static final int MAX_PENDING = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(OidcLogin.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum Status {
        PENDING, EXCHANGING, DONE, FAILED, USED
    }

    /** One login, guarded by its own lock: the callback and the terminal may race. */
    private static final class Flow {
        final String terminal;
        final String verifier;
        final String nonce;
        final Instant expiresAt;
        Status status = Status.PENDING;
        Person person;
        LoginRejected failure;

        Flow(String terminal, String verifier, String nonce, Instant expiresAt) {
            this.terminal = terminal;
            this.verifier = verifier;
            this.nonce = nonce;
            this.expiresAt = expiresAt;
        }
    }

    private final OidcProvider provider;
    private final String missing;
    private final String idClaim;
    private final String nameClaim;
    private final Clock clock;
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();

    @Activate
    public OidcLogin(OidcConfig config) {
        this(config.issuer(), config.client_id(), config.client_secret(), config.redirect_uri(), config.scope(),
                config.id_claim(), config.name_claim(), Duration.ofSeconds(Math.max(1, config.timeout_seconds())),
                Clock.systemUTC());
    }

    OidcLogin(String issuer, String clientId, String clientSecret, String redirectUri, String scope, String idClaim,
            String nameClaim, Duration timeout, Clock clock) {
        List<String> absent = new ArrayList<>();
        if (blank(issuer)) {
            absent.add("issuer");
        }
        if (blank(clientId)) {
            absent.add("client.id");
        }
        if (blank(redirectUri)) {
            absent.add("redirect.uri");
        }
        this.missing = String.join(", ", absent);
        this.idClaim = blank(idClaim) ? "id_number" : idClaim.strip();
        this.nameClaim = blank(nameClaim) ? "name" : nameClaim.strip();
        this.clock = clock;
        String scopes = blank(scope) ? "openid profile" : scope.strip();
        if (!(" " + scopes + " ").contains(" openid ")) {
            scopes = "openid " + scopes; // without it the provider issues no ID token
        }
        if (missing.isEmpty()) {
            provider = new OidcProvider(issuer.strip(), clientId.strip(), clientSecret == null ? "" : clientSecret.strip(),
                    redirectUri.strip(), scopes, timeout, clock);
            LOG.info("Login method '{}' uses the OpenID Connect provider {} as client {}", NAME, issuer.strip(),
                    clientId.strip());
        } else {
            provider = null;
            LOG.warn("Login method '{}' is not configured: every login is refused until {} set in {}", NAME,
                    missing, PID);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Started start(Terminal terminal) throws LoginRejected {
        requireConfigured();
        Instant now = clock.instant();
        flows.values().removeIf(f -> !f.expiresAt.isAfter(now));
        if (flows.size() >= MAX_PENDING) {
            LOG.warn("Login method '{}' has {} logins pending; refusing new ones until some expire", NAME, MAX_PENDING);
            throw new LoginRejected("busy", "too many logins right now; please try again in a minute");
        }
        OidcProvider.Metadata m = provider.metadata();
        String state = random();
        String verifier = random();
        String nonce = random();
        Flow flow = new Flow(terminal.id(), verifier, nonce, now.plus(LIFETIME));
        flows.put(state, flow);
        LOG.debug("OIDC login started at terminal {}", terminal.id());
        return new Started(provider.authorizationUrl(m, state, nonce, challenge(verifier)), state, flow.expiresAt);
    }

    @Override
    public String complete(Map<String, String> parameters) throws LoginRejected {
        requireConfigured();
        Flow flow = live(parameters.get("state"));
        synchronized (flow) {
            if (flow.status != Status.PENDING) {
                throw used();
            }
            flow.status = Status.EXCHANGING;
        }
        Person person;
        try {
            person = exchange(flow, parameters);
        } catch (LoginRejected e) {
            synchronized (flow) {
                flow.status = Status.FAILED;
                flow.failure = e;
            }
            LOG.info("OIDC login at terminal {} failed: {}", flow.terminal, e.code());
            throw e;
        }
        synchronized (flow) {
            flow.person = person;
            flow.status = Status.DONE;
        }
        LOG.info("OIDC login completed for terminal {}: {}", flow.terminal, person.id());
        return flow.terminal;
    }

    private Person exchange(Flow flow, Map<String, String> parameters) throws LoginRejected {
        String error = parameters.get("error");
        if (error != null) {
            // RFC 6749 4.1.2.1: e.g. access_denied when the citizen cancels at the provider.
            LOG.debug("OIDC provider returned error {}", error);
            throw new LoginRejected("login_denied",
                    "the login at the unified identity account was cancelled or refused; please start again");
        }
        String code = parameters.get("code");
        if (blank(code)) {
            throw OidcProvider.invalid("the identity provider sent no authorization code");
        }
        return person(provider.exchange(code, flow.verifier, flow.nonce), idClaim, nameClaim);
    }

    /** The citizen the verified ID token names, by the same rules as every other login. */
    static Person person(JWTClaimsSet claims, String idClaim, String nameClaim) throws LoginRejected {
        String number;
        String name;
        try {
            number = claims.getStringClaim(idClaim);
            name = claims.getStringClaim(nameClaim);
        } catch (ParseException e) {
            throw OidcProvider.invalid("the ID token's claims '" + idClaim + "' and '" + nameClaim + "' must be text");
        }
        if (blank(number)) {
            throw OidcProvider.invalid("the ID token carries no resident ID number (claim '" + idClaim + "')");
        }
        if (blank(name)) {
            throw OidcProvider.invalid("the ID token carries no name (claim '" + nameClaim + "')");
        }
        String problem = ResidentId.problem(number.strip());
        if (problem != null) {
            throw new LoginRejected("invalid_id_number", problem);
        }
        String nameProblem = TextRule.PERSON_NAME.problem(nameClaim, name);
        if (nameProblem != null) {
            throw OidcProvider.invalid("the ID token's claims: " + nameProblem);
        }
        return new Person(new ResidentId(number.strip()), name.strip());
    }

    @Override
    public Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        requireConfigured();
        Object state = credentials.get("state");
        Flow flow = live(state instanceof String s ? s : null);
        synchronized (flow) {
            if (!flow.terminal.equals(terminal.id())) {
                // Not spent: the right terminal may still collect it.
                LOG.warn("OIDC login of terminal {} presented at terminal {}", flow.terminal, terminal.id());
                throw new LoginRejected("wrong_terminal", "this login was started at another terminal");
            }
            switch (flow.status) {
                case PENDING, EXCHANGING -> throw new LoginRejected("not_completed",
                        "the citizen has not finished logging in at the unified identity account yet");
                case USED -> throw used();
                case FAILED -> throw new LoginRejected(flow.failure.code(), flow.failure.getMessage());
                case DONE -> {
                    flow.status = Status.USED;
                    Person p = flow.person;
                    flow.person = null; // nothing personal stays behind in memory
                    return p;
                }
                default -> throw new IllegalStateException(flow.status.name());
            }
        }
    }

    private Flow live(String state) throws LoginRejected {
        Flow flow = state == null ? null : flows.get(state);
        if (flow == null || !flow.expiresAt.isAfter(clock.instant())) {
            throw new LoginRejected("unknown_state",
                    "no such login, or it expired (logins last " + LIFETIME.toMinutes() + " minutes); please start again");
        }
        return flow;
    }

    private void requireConfigured() throws LoginRejected {
        if (provider == null) {
            throw new LoginRejected("not_configured", "the unified identity account login is not available yet ("
                    + missing + " not set in " + PID + "); please use another way to log in");
        }
    }

    private static LoginRejected used() {
        return new LoginRejected("state_used", "this login has been used already; please start a new one");
    }

    /** 256 random bits, base64url: state, nonce and the PKCE verifier (RFC 7636 4.1: 43 characters). */
    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** RFC 7636 4.2, S256: base64url(SHA-256(ASCII(verifier))). */
    static String challenge(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
