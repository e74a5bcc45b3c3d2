package org.budayang.core.identity.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.LoginTicketService;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.budayang.api.text.TextRule;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Login tickets for "scan the app's code", in memory only: a restart (or a configuration
 * change) forgets them, which costs a citizen one more scan, and tickets live a minute anyway.
 * Only the hash of a ticket's terminal secret is kept. Registered under its own class too, so
 * that {@link ScanLogin} in this bundle can redeem tickets, which the API does not offer.
 *
 * <p>A terminal waiting for a confirmation holds no thread: {@link #await} hands out a future
 * that the confirmation completes, and a timer ends the wait at the timeout or the expiry.
 * Confirmations are checked as described in {@link RequestSignature} and the bundle's README;
 * a refused one changes nothing (not even the record of used nonces).
 */
// Immediate: the open tickets live in memory and must outlast a restart of the API servlet.
@Component(configurationPid = LoginTickets.PID, service = { LoginTicketService.class, LoginTickets.class }, immediate = true)
@Designate(ocd = ScanConfig.class)
public final class LoginTickets implements LoginTicketService {
    private static final Logger LOG = LoggerFactory.getLogger(LoginTickets.class);
    static final String PID = "org.budayang.identity.scan";
    static final long MAX_TTL_SECONDS = 600;
    static final long MAX_SKEW_SECONDS = 3600;
    static final int MIN_KEY_BYTES = 16;
    static final int DEFAULT_CAPACITY = 100_000;
    /** Expired and used tickets are kept this long so that a terminal learns "expired" or "used", not "unknown". */
    static final Duration RETAIN = Duration.ofMinutes(5);
    /** A timer may fire a little before the clock reaches the deadline: wake waiters this much after it. */
    private static final long EXPIRY_MARGIN_MILLIS = 50;
    /** 253402300799 = 9999-12-31T23:59:59Z; keeps the arithmetic far from overflow. */
    private static final long MAX_EPOCH_SECOND = 253_402_300_799L;
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9._~-]{8,128}");
    /** Decimal, no sign and no leading zero: the header is signed as sent, so one spelling only. */
    private static final Pattern TIMESTAMP = Pattern.compile("0|[1-9][0-9]{0,11}");
    private static final Set<String> FIELDS = Set.of("idNumber", "name", "timestamp", "nonce");
    private static final String SIGNATURE_HEADERS = "X-Signature, X-Timestamp, X-Nonce";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final class Ticket {
        final String id;
        final String terminal;
        final String secretHash;
        final Instant expiresAt;
        /** Completed by the confirmation; waiting terminals hang on copies of it. */
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();
        /** Guarded by the enclosing LoginTickets. */
        Person person;
        boolean used;

        Ticket(String id, String terminal, String secretHash, Instant expiresAt) {
            this.id = id;
            this.terminal = terminal;
            this.secretHash = secretHash;
            this.expiresAt = expiresAt;
        }

        /** For logs: enough to tell tickets apart. */
        String shortId() {
            return id.substring(0, 8);
        }
    }

    private final Duration ttl;
    /** Null when no usable key is configured. */
    private final byte[] key;
    private final long skew;
    private final Clock clock;
    private final int capacity;
    private final Map<String, Ticket> tickets = new HashMap<>();
    /** Nonce to the epoch second after which its timestamp is stale anyway and it can be forgotten. */
    private final Map<String, Long> nonces = new HashMap<>();
    private Instant nextPurge = Instant.MIN;

    @Activate
    public LoginTickets(ScanConfig config) {
        this(config.ticket_ttl_seconds(), config.hmac_secret(), config.max_skew_seconds(), Clock.systemUTC(),
                DEFAULT_CAPACITY);
    }

    LoginTickets(long ttlSeconds, String hmacSecret, long maxSkewSeconds, Clock clock, int capacity) {
        this.ttl = Duration.ofSeconds(Math.min(MAX_TTL_SECONDS, Math.max(1, ttlSeconds)));
        this.key = parseKey(hmacSecret);
        this.skew = Math.min(MAX_SKEW_SECONDS, Math.max(1, maxSkewSeconds));
        this.clock = clock;
        this.capacity = capacity;
        if (key == null) {
            LOG.warn("Login method 'scan' has no usable 'hmac.secret' in {}: every confirmation is refused", PID);
        } else {
            LOG.info("Login method 'scan': tickets live {} s, confirmations may be {} s off the clock", ttl.toSeconds(),
                    skew);
        }
    }

    private static byte[] parseKey(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            // Never log the value: it is the shared secret, even when malformed.
            LOG.error("Ignoring 'hmac.secret' in {}: not base64", PID);
            return null;
        }
        if (bytes.length < MIN_KEY_BYTES) {
            LOG.error("Ignoring 'hmac.secret' in {}: {} bytes, at least {} are needed", PID, bytes.length, MIN_KEY_BYTES);
            return null;
        }
        return bytes;
    }

    Duration ttl() {
        return ttl;
    }

    @Override
    public Issued issue(String terminal) throws LoginRejected {
        Instant now = clock.instant();
        String secret = random(32);
        Ticket t = new Ticket(random(24), terminal, SessionManager.hash(secret), now.plus(ttl));
        synchronized (this) {
            purge(now);
            if (tickets.size() >= capacity) {
                LOG.warn("{} login tickets are live; refusing new ones until some expire", capacity);
                throw new LoginRejected("busy", "too many logins right now; please try again in a minute");
            }
            tickets.put(t.id, t);
        }
        LOG.debug("Login ticket {} issued to terminal {}", t.shortId(), terminal);
        return new Issued(t.id, secret, t.expiresAt);
    }

    /** Drops tickets and nonces nobody needs any more; when full, also the expired and used tickets kept for show. */
    private void purge(Instant now) {
        boolean full = tickets.size() >= capacity || nonces.size() >= capacity;
        if (!full && now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plusSeconds(10);
        Instant forget = now.minus(RETAIN);
        for (Iterator<Ticket> it = tickets.values().iterator(); it.hasNext();) {
            Ticket t = it.next();
            State state = state(t, now);
            // Expired and used tickets are kept only to tell terminals why; when memory is short they go first.
            if (t.expiresAt.isBefore(forget) || (full && (state == State.EXPIRED || state == State.USED))) {
                it.remove();
            }
        }
        long second = now.getEpochSecond();
        nonces.values().removeIf(until -> until < second);
    }

    private static State state(Ticket t, Instant now) {
        if (t.used) {
            return State.USED;
        }
        if (!now.isBefore(t.expiresAt)) {
            return State.EXPIRED;
        }
        return t.person != null ? State.CONFIRMED : State.PENDING;
    }

    private synchronized State state(Ticket t) {
        return state(t, clock.instant());
    }

    /** The ticket if it was issued to this terminal. Call with the lock held. */
    private Ticket find(String terminal, String id) throws LoginRejected {
        Ticket t = id == null ? null : tickets.get(id);
        if (t == null) {
            throw new LoginRejected("ticket_unknown", "no such login ticket (it may have expired long ago); "
                    + "please start the login again");
        }
        if (!t.terminal.equals(terminal)) {
            throw new LoginRejected("wrong_terminal", "this login ticket belongs to another terminal");
        }
        return t;
    }

    @Override
    public CompletionStage<State> await(String terminal, String id, Duration timeout) throws LoginRejected {
        Ticket t;
        State now;
        long untilExpiry;
        synchronized (this) {
            t = find(terminal, id);
            Instant instant = clock.instant();
            now = state(t, instant);
            untilExpiry = Duration.between(instant, t.expiresAt).toMillis() + EXPIRY_MARGIN_MILLIS;
        }
        long wait = Math.min(timeout.toMillis(), untilExpiry);
        if (now != State.PENDING || wait <= 0) {
            return CompletableFuture.completedFuture(now);
        }
        // A copy, so that the timeout ends only this wait; the state is read again when it ends.
        return t.confirmed.copy().completeOnTimeout(null, wait, TimeUnit.MILLISECONDS).thenApply(x -> state(t));
    }

    @Override
    public void confirm(String id, Confirmation request) throws LoginRejected {
        try {
            doConfirm(id, request);
        } catch (LoginRejected e) {
            if (e.code().equals("bad_signature") || e.code().equals("replayed_nonce")) {
                LOG.warn("Confirmation of a login ticket refused: {}", e.code());
            } else {
                LOG.debug("Confirmation of a login ticket refused: {}", e.code());
            }
            throw e;
        }
    }

    private void doConfirm(String id, Confirmation r) throws LoginRejected {
        if (key == null) {
            throw new LoginRejected("not_configured",
                    "confirmations cannot be checked: no 'hmac.secret' is configured in " + PID);
        }
        if (r.signature() == null || r.signature().isBlank()) {
            throw new LoginRejected("bad_signature", "the request carries no signature (" + SIGNATURE_HEADERS + ")");
        }
        if (r.timestamp() == null || r.nonce() == null) {
            throw new LoginRejected("bad_signature", "the signature cannot be checked without the headers "
                    + SIGNATURE_HEADERS);
        }
        // Before anything reads the body: its bytes are only hashed, the headers taken as sent.
        String canonical = RequestSignature.canonical(r.method(), r.path(), r.timestamp(), r.nonce(), r.body());
        if (!RequestSignature.verify(key, canonical, r.signature())) {
            throw new LoginRejected("bad_signature", "the signature does not match this request");
        }
        if (!TIMESTAMP.matcher(r.timestamp()).matches() || Long.parseLong(r.timestamp()) > MAX_EPOCH_SECOND) {
            throw invalid("'X-Timestamp' must be whole seconds since 1970 in decimal");
        }
        long timestamp = Long.parseLong(r.timestamp());
        String nonce = r.nonce();
        if (!NONCE.matcher(nonce).matches()) {
            throw invalid("'X-Nonce' must be 8 to 128 characters of A-Z a-z 0-9 . _ ~ -");
        }
        Instant now = clock.instant();
        if (Math.abs(now.getEpochSecond() - timestamp) > skew) {
            throw new LoginRejected("stale_timestamp",
                    "the timestamp is more than " + skew + " s away from the hall's clock");
        }
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            throw invalid("the body is not JSON");
        }
        if (json == null || !json.isObject()) {
            throw invalid("the body must be a JSON object");
        }
        for (Iterator<String> it = json.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw invalid("unknown field '" + f + "' (allowed: idNumber, name, nonce, timestamp)");
            }
        }
        JsonNode ts = json.get("timestamp");
        if (ts == null || !ts.isIntegralNumber() || !ts.canConvertToLong() || ts.asLong() != timestamp) {
            throw invalid("the body's 'timestamp' must be the number in X-Timestamp");
        }
        JsonNode n = json.get("nonce");
        if (n == null || !n.isTextual() || !n.textValue().equals(nonce)) {
            throw invalid("the body's 'nonce' must be the text in X-Nonce");
        }
        JsonNode number = json.get("idNumber");
        String problem = ResidentId.problem(number != null && number.isTextual() ? number.textValue() : null);
        if (problem != null) {
            throw new LoginRejected("invalid_id_number", problem);
        }
        JsonNode name = json.get("name");
        String nameProblem = TextRule.PERSON_NAME.problem("name", name != null && name.isTextual() ? name.textValue() : null);
        if (nameProblem != null) {
            throw invalid(nameProblem);
        }
        Person person = new Person(new ResidentId(number.textValue()), name.textValue().strip());
        Ticket t;
        synchronized (this) {
            Long seen = nonces.get(nonce);
            if (seen != null && seen >= now.getEpochSecond()) {
                throw new LoginRejected("replayed_nonce", "this nonce has been used already");
            }
            t = tickets.get(id);
            if (t == null) {
                throw new LoginRejected("ticket_unknown", "no such login ticket");
            }
            switch (state(t, now)) {
                case EXPIRED -> throw new LoginRejected("ticket_expired", "the login ticket has expired");
                case CONFIRMED, USED -> throw new LoginRejected("ticket_already_confirmed",
                        "the login ticket has been confirmed already");
                case PENDING -> {
                }
            }
            purge(now);
            if (nonces.size() >= capacity) {
                // Forgetting a fresh nonce would let its request be replayed: refuse instead.
                LOG.warn("{} confirmation nonces are fresh; refusing confirmations until some are stale", capacity);
                throw new LoginRejected("busy", "too many confirmations right now; please try again in a minute");
            }
            nonces.put(nonce, timestamp + skew);
            t.person = person;
        }
        // Outside the lock: waiting terminals' callbacks run on this thread.
        t.confirmed.complete(null);
        LOG.info("Login ticket {} of terminal {} confirmed for citizen {}", t.shortId(), t.terminal, person.id());
    }

    private static LoginRejected invalid(String message) {
        return new LoginRejected("invalid_request", message);
    }

    /**
     * The citizen of a confirmed ticket, once: for {@link ScanLogin}. Checks the terminal, its
     * secret, then the state.
     */
    synchronized Person redeem(String terminal, String id, String secret) throws LoginRejected {
        Ticket t = find(terminal, id);
        if (secret == null || !MessageDigest.isEqual(SessionManager.hash(secret).getBytes(StandardCharsets.US_ASCII),
                t.secretHash.getBytes(StandardCharsets.US_ASCII))) {
            throw new LoginRejected("wrong_secret", "the secret is not the one issued with this login ticket");
        }
        switch (state(t, clock.instant())) {
            case USED -> throw new LoginRejected("ticket_used", "this login ticket has been used already; "
                    + "please start the login again");
            case EXPIRED -> throw new LoginRejected("ticket_expired", "this login ticket has expired; "
                    + "please start the login again");
            case PENDING -> throw new LoginRejected("ticket_not_confirmed", "the app has not confirmed this login yet");
            case CONFIRMED -> {
            }
        }
        t.used = true;
        return t.person;
    }

    synchronized int size() {
        return tickets.size();
    }

    private static String random(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
