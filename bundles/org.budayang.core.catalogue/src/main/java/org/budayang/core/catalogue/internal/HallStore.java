package org.budayang.core.catalogue.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.hall.Hall;
import org.budayang.api.hall.HallException;
import org.budayang.api.hall.HallService;
import org.budayang.api.hall.Registration;
import org.budayang.api.hall.Terminal;
import org.budayang.api.text.TextRule;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Halls, terminals and the per-hall module switch. The database is the truth; a copy in memory
 * (a few hundred rows at most) answers reads so that menus never wait for a query. Terminals are
 * answered with their effective capabilities: the registered ones as the devices attached right
 * now allow ({@link DeviceCapabilities}).
 */
@Component(service = { HallService.class, HallStore.class })
public final class HallStore implements HallService {
    private static final Logger LOG = LoggerFactory.getLogger(HallStore.class);
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Immutable view of the tables, replaced on each write. */
    private record State(long revision, Map<String, Hall> halls, Map<String, Terminal> terminals,
            Map<String, String> tokenHashes, Map<String, Boolean> switches) {
    }

    private final DataSource db;
    private final DeviceCapabilities devices;
    private final Object writeLock = new Object();
    private volatile State state;

    @Activate
    public HallStore(@Reference(target = "(budayang.store=main)") DataSource db, @Reference DeviceCapabilities devices)
            throws SQLException {
        this.db = db;
        this.devices = devices;
        this.state = load(1);
    }

    long revision() {
        return state.revision();
    }

    private State load(long revision) throws SQLException {
        Map<String, Hall> halls = new TreeMap<>();
        Map<String, Terminal> terminals = new TreeMap<>();
        Map<String, String> tokens = new TreeMap<>();
        Map<String, Boolean> switches = new TreeMap<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name_zh, name_en FROM hall");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    halls.put(rs.getString(1), new Hall(rs.getString(1), new LocalizedText(rs.getString(2), rs.getString(3))));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, hall_id, name, capabilities, token_hash FROM terminal");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tokens.put(rs.getString(1), rs.getString(5));
                    terminals.put(rs.getString(1), new Terminal(rs.getString(1), rs.getString(2), rs.getString(3),
                            capabilities(rs.getString(4))));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT hall_id, department, enabled FROM hall_module");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switches.put(key(rs.getString(1), rs.getString(2)), rs.getBoolean(3));
                }
            }
        }
        return new State(revision, Map.copyOf(halls), Map.copyOf(terminals), Map.copyOf(tokens), Map.copyOf(switches));
    }

    private void reload() {
        try {
            state = load(state.revision() + 1);
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }

    private static Set<String> capabilities(String stored) {
        Set<String> out = new TreeSet<>();
        for (String s : stored.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    private static String key(String hall, String department) {
        return hall + "\u0000" + department;
    }

    @Override
    public List<Hall> halls() {
        return new ArrayList<>(new TreeMap<>(state.halls()).values());
    }

    @Override
    public Optional<Hall> hall(String id) {
        return Optional.ofNullable(state.halls().get(id));
    }

    @Override
    public List<Terminal> terminals(String hall) {
        List<Terminal> out = new ArrayList<>();
        for (Terminal t : new TreeMap<>(state.terminals()).values()) {
            if (t.hall().equals(hall)) {
                out.add(devices.effective(t));
            }
        }
        return out;
    }

    /**
     * Every capability a terminal of any hall could have: the registered ones and those a
     * deployed driver provides. An item requiring anything else shows on no terminal.
     */
    Set<String> knownCapabilities() {
        Set<String> out = new TreeSet<>(devices.fromDrivers());
        state.terminals().values().forEach(t -> out.addAll(t.capabilities()));
        return out;
    }

    @Override
    public Optional<Terminal> terminal(String id) {
        return Optional.ofNullable(state.terminals().get(id)).map(devices::effective);
    }

    @Override
    public Hall createHall(String id, LocalizedText name) {
        checkId("hall id", id);
        checkName("name.zh", name.zh());
        checkName("name.en", name.en());
        synchronized (writeLock) {
            if (state.halls().containsKey(id)) {
                throw new HallException(HallException.Kind.CONFLICT, "hall '" + id + "' already exists");
            }
            execute("INSERT INTO hall (id, name_zh, name_en) VALUES (?, ?, ?)", id, name.zh().strip(), name.en().strip());
            reload();
        }
        LOG.info("Hall {} created", id);
        return state.halls().get(id);
    }

    @Override
    public Registration register(String hall, String terminalId, String name, Set<String> capabilities) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return register(hall, terminalId, name, capabilities, Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    }

    /** Registers with a given token: only the demo seed uses this, so demo kiosks know theirs. */
    Registration register(String hall, String terminalId, String name, Set<String> capabilities, String token) {
        checkId("terminal id", terminalId);
        checkName("name", name);
        for (String c : capabilities) {
            if (c == null || !DescriptorParser.CAPABILITY.matcher(c).matches()) {
                throw new HallException(HallException.Kind.INVALID,
                        "capability '" + c + "' is not a capability name like printer.a4");
            }
        }
        if (token == null || token.length() < 16) {
            throw new HallException(HallException.Kind.INVALID, "a terminal token has at least 16 characters");
        }
        synchronized (writeLock) {
            if (!state.halls().containsKey(hall)) {
                throw new HallException(HallException.Kind.NOT_FOUND, "no hall '" + hall + "'");
            }
            if (state.terminals().containsKey(terminalId)) {
                throw new HallException(HallException.Kind.CONFLICT, "terminal '" + terminalId + "' is already registered");
            }
            execute("INSERT INTO terminal (id, hall_id, name, capabilities, token_hash, registered_at) VALUES (?, ?, ?, ?, ?, ?)",
                    terminalId, hall, name.strip(), String.join(",", new TreeSet<>(capabilities)), sha256(token),
                    Timestamp.from(Instant.now()));
            reload();
        }
        LOG.info("Terminal {} registered in hall {} with {}", terminalId, hall, new TreeSet<>(capabilities));
        return new Registration(state.terminals().get(terminalId), token);
    }

    @Override
    public boolean verifyToken(String terminal, String token) {
        String stored = state.tokenHashes().get(terminal);
        if (stored == null || token == null) {
            return false;
        }
        // Constant-time comparison: the hashes are public-length, the time must not tell how close a guess was.
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                sha256(token).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean isEnabled(String hall, String department) {
        return state.switches().getOrDefault(key(hall, department), Boolean.TRUE);
    }

    @Override
    public void setEnabled(String hall, String department, boolean enabled, String actor) {
        synchronized (writeLock) {
            if (!state.halls().containsKey(hall)) {
                throw new HallException(HallException.Kind.NOT_FOUND, "no hall '" + hall + "'");
            }
            if (Boolean.valueOf(enabled).equals(state.switches().get(key(hall, department)))) {
                return;
            }
            Timestamp now = Timestamp.from(Instant.now());
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    int n;
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE hall_module SET enabled = ?, changed_at = ?, changed_by = ? WHERE hall_id = ? AND department = ?")) {
                        bind(ps, enabled, now, actor, hall, department);
                        n = ps.executeUpdate();
                    }
                    if (n == 0) {
                        try (PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO hall_module (hall_id, department, enabled, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)")) {
                            bind(ps, hall, department, enabled, now, actor);
                            ps.executeUpdate();
                        }
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
            }
            reload();
        }
        LOG.info("Module {} {} for hall {} by {}", department, enabled ? "enabled" : "disabled", hall, actor);
    }

    private void execute(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private static void checkId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            // Not repeated: it is not an id, so it may be anything (and long).
            throw new HallException(HallException.Kind.INVALID,
                    what + " must be 1-64 letters, digits, '-' or '_', starting with a letter or digit");
        }
    }

    /** Hall and terminal names are shown on every terminal and console: {@link TextRule#LABEL}. */
    private static void checkName(String field, String name) {
        String problem = TextRule.LABEL.problem(field, name);
        if (problem != null) {
            throw new HallException(HallException.Kind.INVALID, problem);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
