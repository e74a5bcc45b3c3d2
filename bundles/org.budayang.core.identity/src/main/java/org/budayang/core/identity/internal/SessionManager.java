package org.budayang.core.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.budayang.api.hall.HallService;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.SessionService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Citizen sessions, kept in memory only: a restart logs everyone out, which is what a public
 * terminal wants. Tokens are random and only their hash is kept.
 */
// Immediate: it holds the live sessions in memory. A delayed component is dropped by SCR when its
// last consumer goes (the API servlet restarting on a configuration change), logging everyone out.
@Component(configurationPid = "org.budayang.identity", immediate = true)
@Designate(ocd = IdentityConfig.class)
public final class SessionManager implements SessionService {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** What a refusal may repeat of the requested method's name: it came from outside. */
    private static final java.util.regex.Pattern METHOD_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private record Live(CitizenSession session, String tokenHash) {
    }

    private final HallService halls;
    private final Duration idle;
    private final Clock clock;
    private final Map<String, LoginMethod> methods = new ConcurrentHashMap<>();
    /** By token hash. */
    private final Map<String, Live> sessions = new ConcurrentHashMap<>();
    /** Terminal id to the token hash of its current session. */
    private final Map<String, String> byTerminal = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    @Activate
    public SessionManager(@Reference HallService halls, IdentityConfig config) {
        this(halls, Duration.ofSeconds(Math.max(1, config.idle_timeout_seconds())), Clock.systemUTC(), true);
    }

    SessionManager(HallService halls, Duration idle, Clock clock, boolean sweep) {
        this.halls = halls;
        this.idle = idle;
        this.clock = clock;
        if (sweep) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "budayang-session-sweeper");
                t.setDaemon(true);
                return t;
            });
            // Expiry is enforced on every use; the sweeper only frees memory and logs the end.
            sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        } else {
            sweeper = null;
        }
    }

    @Deactivate
    void deactivate() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        sessions.clear();
        byTerminal.clear();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addMethod(LoginMethod method) {
        methods.put(method.name(), method);
    }

    void removeMethod(LoginMethod method) {
        methods.remove(method.name(), method);
    }

    @Override
    public Set<String> methods() {
        return new TreeSet<>(methods.keySet());
    }

    @Override
    public Opened open(String terminalId, String method, Map<String, Object> credentials) throws LoginRejected {
        Terminal terminal = halls.terminal(terminalId)
                .orElseThrow(() -> new LoginRejected("unknown_terminal", "no terminal '" + terminalId + "'"));
        // Exactly as registered: "IDCARD" or "idcard " is no method.
        LoginMethod login = methods.get(method);
        if (login == null) {
            String which = method != null && METHOD_NAME.matcher(method).matches() ? "'" + method + "'" : "by that name";
            throw new LoginRejected("unknown_method", "no login method " + which + " (exact, lower case); available: "
                    + methods());
        }
        Person person = login.authenticate(terminal, credentials);
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String hash = hash(token);
        Instant now = clock.instant();
        CitizenSession session = new CitizenSession(hash.substring(0, 16), terminalId, person, method, now, now.plus(idle));
        sessions.put(hash, new Live(session, hash));
        // The next citizen at a terminal ends the last one's session.
        String previous = byTerminal.put(terminalId, hash);
        if (previous != null) {
            end(previous, "a new login at the same terminal");
        }
        LOG.info("Citizen {} logged in at terminal {} by {} (session {})", person.id(), terminalId, method, session.id());
        return new Opened(session, token);
    }

    @Override
    public Optional<CitizenSession> touch(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String hash = hash(token);
        Instant now = clock.instant();
        Live live = sessions.computeIfPresent(hash, (k, l) -> l.session().expiresAt().isAfter(now)
                ? new Live(withExpiry(l.session(), now.plus(idle)), k)
                : l);
        if (live == null) {
            return Optional.empty();
        }
        if (!live.session().expiresAt().isAfter(now)) {
            end(hash, "idle timeout");
            return Optional.empty();
        }
        return Optional.of(live.session());
    }

    private static CitizenSession withExpiry(CitizenSession s, Instant expires) {
        return new CitizenSession(s.id(), s.terminal(), s.person(), s.method(), s.startedAt(), expires);
    }

    @Override
    public boolean close(String token) {
        return token != null && end(hash(token), "logout");
    }

    private boolean end(String hash, String why) {
        Live live = sessions.remove(hash);
        if (live == null) {
            return false;
        }
        byTerminal.remove(live.session().terminal(), hash);
        LOG.info("Session {} of citizen {} at terminal {} ended: {}", live.session().id(), live.session().person().id(),
                live.session().terminal(), why);
        return true;
    }

    void sweep() {
        Instant now = clock.instant();
        for (Live l : sessions.values()) {
            if (!l.session().expiresAt().isAfter(now)) {
                end(l.tokenHash(), "idle timeout");
            }
        }
    }

    static String hash(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
