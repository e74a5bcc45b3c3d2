package org.budayang.core.cases.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.cases.CaseEvent;
import org.budayang.api.cases.CaseException;
import org.budayang.api.cases.CaseRecord;
import org.budayang.api.cases.CaseService;
import org.budayang.api.cases.CaseStatus;
import org.budayang.api.cases.FormRejected;
import org.budayang.api.cases.PublicCaseStatus;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.FieldError;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.catalogue.Situation;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.MenuService;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.budayang.api.text.TextRule;
import org.budayang.core.store.tx.Transactions;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Cases in the database. Submission, each status change and its history entry are one
 * transaction; forwarding to the back office happens after the commit, so a back office that
 * is down never loses a case: it stays marked unforwarded and a background pass retries with
 * back-off until the back office takes it. A department that has no back office at all gets its
 * cases processed in the hall, by the hall's window staff: they are never forwarded.
 */
// Immediate: it forwards kept cases in the background, whoever is using it at the moment.
@Component(configurationPid = "org.budayang.cases", service = { CaseService.class, CaseServiceImpl.class }, immediate = true)
@Designate(ocd = CasesConfig.class)
public final class CaseServiceImpl implements CaseService {
    private static final Logger LOG = LoggerFactory.getLogger(CaseServiceImpl.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    static final int MAX_FORM = 32000;
    private static final Pattern STATUS_TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    /**
     * How long one forwarding attempt owns a case. Whoever sets {@code next_forward_at} into the
     * future holds it, so the submitting thread and the background pass never both send it.
     */
    static final long LEASE_SECONDS = 30;
    /** The factory PID of the HTTP connectors ({@link HttpBackOffice}). */
    static final String BACKOFFICE_PID = "org.budayang.backoffice";

    private final DataSource db;
    private final MenuService menus;
    private final Catalogue catalogue;
    private final IdVault vault;
    private final int maxBackoff;
    /**
     * Per department, every back office registered for it, best ranked first: a department's own
     * wins over the configured connector (ranked below 0), which serves again as soon as it goes.
     */
    private final Map<String, ConcurrentSkipListMap<ServiceReference<?>, BackOffice>> backOffices = new ConcurrentHashMap<>();
    private final ScheduledExecutorService forwarder;
    /** Optional: tells a configured connector that is still starting from no back office at all. */
    private volatile ConfigurationAdmin configAdmin;

    @Activate
    public CaseServiceImpl(@Reference(target = "(budayang.store=main)") DataSource db, @Reference MenuService menus,
            @Reference Catalogue catalogue, @Reference IdVault vault, CasesConfig config) {
        this.db = db;
        this.menus = menus;
        this.catalogue = catalogue;
        this.vault = vault;
        this.maxBackoff = Math.max(1, config.forward_max_backoff_seconds());
        this.forwarder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "budayang-case-forwarder");
            t.setDaemon(true);
            return t;
        });
        int every = Math.max(1, config.forward_interval_seconds());
        forwarder.scheduleWithFixedDelay(this::forwardPending, every, every, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        forwarder.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBackOffice(ServiceReference<BackOffice> ref, BackOffice office) {
        Object dept = ref.getProperty(BackOffice.DEPARTMENT);
        if (dept != null) {
            backOffices.computeIfAbsent(dept.toString(), d -> new ConcurrentSkipListMap<>(Comparator.reverseOrder())).put(ref, office);
        }
    }

    void removeBackOffice(ServiceReference<BackOffice> ref) {
        backOffices.values().forEach(m -> m.remove(ref));
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setConfigAdmin(ConfigurationAdmin admin) {
        configAdmin = admin;
    }

    void unsetConfigAdmin(ConfigurationAdmin admin) {
        if (configAdmin == admin) {
            configAdmin = null;
        }
    }

    @Override
    public boolean hasBackOffice(String department) {
        return backOffice(department) != null || connectorConfigured(department);
    }

    /**
     * A connector configured for the department (etc/org.budayang.backoffice-<dept>.cfg): it has a
     * back office even before the connector registered (right after a start) or while it restarts.
     */
    private boolean connectorConfigured(String department) {
        ConfigurationAdmin admin = configAdmin;
        if (admin == null) {
            return false;
        }
        try {
            // Department codes are [a-z][a-z0-9-]* (the catalogue's rule): nothing to escape in a filter.
            return admin.listConfigurations("(&(service.factoryPid=" + BACKOFFICE_PID + ")(department=" + department + "))") != null;
        } catch (IOException | InvalidSyntaxException e) {
            LOG.warn("Could not look up the back-office connectors: {}", e.toString());
            return false;
        }
    }

    private BackOffice backOffice(String department) {
        ConcurrentSkipListMap<ServiceReference<?>, BackOffice> m = backOffices.get(department);
        Map.Entry<ServiceReference<?>, BackOffice> best = m == null ? null : m.firstEntry();
        return best == null ? null : best.getValue();
    }

    // ---- submit -----------------------------------------------------------------------------

    @Override
    public CaseRecord submit(CitizenSession session, String itemCode, String situation, String formJson) {
        Item item = offered(session.terminal(), itemCode);
        checkSituation(item, situation);
        String form = checkForm(formJson);
        List<FieldError> problems = catalogue.validateForm(item.code(), form);
        if (!problems.isEmpty()) {
            throw new FormRejected(problems);
        }
        Person applicant = session.person();
        String idHash = vault.hash(applicant.id().value());
        Instant now = Instant.now();
        // Without a back office there is nothing to forward to: the hall's window staff process it.
        boolean inHall = !hasBackOffice(item.department());
        // Numbered inside the submission's transaction: one that rolls back (or loses a lock and
        // is run again) gives its number back, so a department's numbers have no gaps. The counter
        // row stays locked until the commit: one department's submissions queue for that moment.
        String number = Transactions.inTransaction(db, c -> {
            String n = nextNumber(c, item.department(), now);
            upsertPerson(c, idHash, applicant, now);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO citizen_case (case_no, item, department, situation, "
                    + "applicant_hash, terminal, status, form_json, forwarded, forward_attempts, next_forward_at, "
                    + "submitted_at, updated_at, in_hall, status_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)")) {
                // The submitting thread holds the forwarding lease from the start; a hall case has none.
                bind(ps, n, item.code(), item.department(), situation, idHash, session.terminal(),
                        CaseStatus.SUBMITTED.name(), form, false, inHall ? null : ts(now.plusSeconds(LEASE_SECONDS)),
                        ts(now), ts(now), inHall, newStatusToken());
                ps.executeUpdate();
            }
            event(c, n, null, CaseStatus.SUBMITTED, now, "citizen:" + applicant.id().masked(), null);
            return n;
        });
        LOG.info("Case {} submitted for item {} by {} at terminal {}", number, item.code(), applicant.id(), session.terminal());
        if (inHall) {
            LOG.info("Case {} is processed in the hall by the window staff: department {} has no back office", number,
                    item.department());
        } else {
            deliver(number);
        }
        return find(number).orElseThrow();
    }

    private Item offered(String terminal, String itemCode) {
        return offered(menus, terminal, itemCode);
    }

    /** The item if the terminal's menu offers it now (module enabled, devices present). */
    static Item offered(MenuService menus, String terminal, String itemCode) {
        Menu menu = menus.menu(terminal).orElseThrow(() -> new CaseException(CaseException.Kind.NOT_FOUND,
                "no terminal '" + terminal + "'"));
        for (Menu.Section s : menu.departments()) {
            for (Item i : s.items()) {
                if (i.code().equals(itemCode)) {
                    return i;
                }
            }
        }
        throw new CaseException(CaseException.Kind.NOT_FOUND, "item '" + itemCode + "' is not offered at terminal " + terminal);
    }

    static void checkSituation(Item item, String situation) {
        if (item.situations().isEmpty()) {
            if (situation != null) {
                throw new CaseException(CaseException.Kind.INVALID, "item " + item.code() + " has no situations");
            }
            return;
        }
        if (situation == null) {
            throw new CaseException(CaseException.Kind.INVALID, "choose a situation of item " + item.code() + ": "
                    + item.situations().stream().map(Situation::code).toList());
        }
        if (item.situations().stream().noneMatch(s -> s.code().equals(situation))) {
            throw new CaseException(CaseException.Kind.INVALID, "item " + item.code() + " has no situation '" + situation
                    + "'; it has " + item.situations().stream().map(Situation::code).toList());
        }
    }

    /**
     * The form as stored: a JSON object within {@link #MAX_FORM}, every text in it (names of
     * fields too) by {@link TextRule#FORM_VALUE}. The same for submissions and drafts, so a draft
     * never holds what a submission would refuse.
     *
     * @throws FormRejected naming each field whose text breaks the rule
     */
    static String checkForm(String formJson) {
        String form = formJson == null ? "{}" : formJson;
        if (form.length() > MAX_FORM) {
            throw new CaseException(CaseException.Kind.INVALID, "the form is larger than " + MAX_FORM + " characters");
        }
        JsonNode n;
        try {
            n = JSON.readTree(form);
        } catch (JsonProcessingException e) {
            throw new CaseException(CaseException.Kind.INVALID, "the form is not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw new CaseException(CaseException.Kind.INVALID, "the form must be a JSON object");
        }
        List<FieldError> problems = new ArrayList<>();
        texts(n, "", problems);
        if (!problems.isEmpty()) {
            throw new FormRejected(problems);
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed form did not serialize", e);
        }
    }

    /** Field paths as the schema's errors name them: {@code property.address}, {@code items.0}. */
    private static void texts(JsonNode node, String path, List<FieldError> problems) {
        if (node.isTextual()) {
            TextRule.FORM_VALUE.check(node.textValue()).ifPresent(v -> problems.add(
                    new FieldError(path, new LocalizedText(v.messageZh(), v.what() + "; " + TextRule.FORM_VALUE.description()))));
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (TextRule.FORM_VALUE.check(e.getKey()).isPresent()) {
                    // The name itself is not repeated: it is what is wrong.
                    problems.add(new FieldError(path.isEmpty() ? "(form)" : path, new LocalizedText(
                            "字段名含有不允许的字符", "a field name contains characters form text may not have")));
                    continue;
                }
                texts(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                texts(node.get(i), path + "." + i, problems);
            }
        }
    }

    void upsertPerson(Connection c, String idHash, Person p, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE person SET name = ?, updated_at = ? WHERE id_hash = ?")) {
            bind(ps, p.name(), ts(now), idHash);
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO person (id_hash, id_enc, name, updated_at) VALUES (?, ?, ?, ?)")) {
            bind(ps, idHash, vault.encrypt(p.id().value()), p.name(), ts(now));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            // Another submission of the same person inserted it first: nothing to add.
        }
    }

    /**
     * Per department and day, counted on one row, in the caller's transaction (a table row, not a
     * sequence: a sequence's values are not given back on rollback).
     */
    static String nextNumber(Connection c, String department, Instant now) throws SQLException {
        String prefix = department.toUpperCase(Locale.ROOT) + "-" + DAY.format(LocalDate.ofInstant(now, CHINA));
        for (int attempt = 0; attempt < 3; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE case_counter SET last_value = last_value + 1 WHERE prefix = ?")) {
                bind(ps, prefix);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO case_counter (prefix, last_value) VALUES (?, 1)")) {
                        bind(ins, prefix);
                        ins.executeUpdate();
                    } catch (SQLException e) {
                        if ("23505".equals(e.getSQLState())) {
                            continue;
                        }
                        throw e;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT last_value FROM case_counter WHERE prefix = ?")) {
                bind(ps, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return String.format("%s-%06d", prefix, rs.getInt(1));
                }
            }
        }
        throw new SQLException("could not number the case");
    }

    // ---- forwarding -------------------------------------------------------------------------

    /**
     * Hands one case to its back office; the caller holds its lease. Returns false if it is
     * still pending (the next attempt is then scheduled with back-off).
     */
    boolean deliver(String number) {
        CaseRecord record = find(number).orElse(null);
        if (record == null || record.forwarded()) {
            return true;
        }
        BackOffice office = backOffice(record.department());
        if (office == null && !connectorConfigured(record.department())) {
            // Not down but absent (none was ever configured, or it was removed): retrying would
            // go on for ever, so the hall's window staff take the case over.
            return toHall(number, record.department());
        }
        String reference;
        String problem;
        try {
            if (office == null) {
                throw new BackOffice.Unavailable("no back office is configured for " + record.department(), null);
            }
            reference = office.receive(record);
            problem = null;
        } catch (BackOffice.Unavailable e) {
            reference = null;
            problem = e.getMessage();
        } catch (RuntimeException e) {
            reference = null;
            problem = "back office failed: " + e;
        }
        try (Connection c = db.getConnection()) {
            if (reference != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE citizen_case SET forwarded = ?, backoffice_ref = ?, "
                        + "next_forward_at = NULL WHERE case_no = ? AND forwarded = ?")) {
                    bind(ps, true, reference, number, false);
                    ps.executeUpdate();
                }
                LOG.info("Case {} forwarded to the {} back office as {}", number, record.department(), reference);
                return true;
            }
            int attempts;
            try (PreparedStatement ps = c.prepareStatement("SELECT forward_attempts FROM citizen_case WHERE case_no = ?")) {
                bind(ps, number);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    attempts = rs.getInt(1) + 1;
                }
            }
            long wait = Math.min(maxBackoff, 1L << Math.min(attempts - 1, 16));
            try (PreparedStatement ps = c.prepareStatement("UPDATE citizen_case SET forward_attempts = ?, next_forward_at = ? "
                    + "WHERE case_no = ? AND forwarded = ?")) {
                bind(ps, attempts, ts(Instant.now().plusSeconds(wait)), number, false);
                ps.executeUpdate();
            }
            LOG.warn("Case {} kept, not yet forwarded (attempt {}, next in {} s): {}", number, attempts, wait, problem);
            return false;
        } catch (SQLException e) {
            LOG.error("Could not record the forwarding of case {}", number, e);
            return false;
        }
    }

    private boolean toHall(String number, String department) {
        try {
            int moved = Transactions.inTransaction(db, c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE citizen_case SET in_hall = ?, next_forward_at = NULL "
                        + "WHERE case_no = ? AND forwarded = ?")) {
                    bind(ps, true, number, false);
                    return ps.executeUpdate();
                }
            });
            if (moved == 1) {
                LOG.warn("Case {} is processed in the hall by the window staff from now on: department {} has no back office",
                        number, department);
            }
            return true;
        } catch (IllegalStateException e) {
            LOG.error("Could not hand case {} to the hall's window staff", number, e);
            return false;
        }
    }

    @Override
    public boolean processedInHall(String number) {
        return Transactions.read(db, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT in_hall FROM citizen_case WHERE case_no = ?")) {
                bind(ps, number);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    void forwardPending() {
        try {
            List<String> due = new ArrayList<>();
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT case_no FROM citizen_case WHERE forwarded = ? AND next_forward_at <= ? ORDER BY submitted_at")) {
                bind(ps, false, ts(Instant.now()));
                ps.setMaxRows(100);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(rs.getString(1));
                    }
                }
            }
            for (String number : due) {
                if (claim(number)) {
                    deliver(number);
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Forwarding pass failed: {}", e.toString());
        }
    }

    /** Takes the forwarding lease of a due case; false if someone else holds it or it was sent. */
    private boolean claim(String number) throws SQLException {
        Instant now = Instant.now();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE citizen_case "
                + "SET next_forward_at = ? WHERE case_no = ? AND forwarded = ? AND next_forward_at <= ?")) {
            bind(ps, ts(now.plusSeconds(LEASE_SECONDS)), number, false, ts(now));
            return ps.executeUpdate() == 1;
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    private static final String SELECT = "SELECT c.case_no, c.item, c.department, c.situation, c.terminal, c.status, "
            + "c.form_json, c.forwarded, c.backoffice_ref, c.submitted_at, c.updated_at, p.id_enc, p.name "
            + "FROM citizen_case c JOIN person p ON p.id_hash = c.applicant_hash ";

    @Override
    public Optional<CaseRecord> find(String number) {
        List<CaseRecord> found = query(SELECT + "WHERE c.case_no = ?", 1, number);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public String statusToken(String number) {
        return Transactions.inTransaction(db, c -> {
            Optional<String> existing = statusTokenOf(c, number);
            if (existing.isPresent()) {
                return existing.get();
            }
            // A case from before status tokens: it gets one now, once (a second caller's update
            // finds the column set and reads the first caller's token).
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE citizen_case SET status_token = ? WHERE case_no = ? AND status_token IS NULL")) {
                bind(ps, newStatusToken(), number);
                ps.executeUpdate();
            }
            return statusTokenOf(c, number).orElseThrow();
        });
    }

    /** The case's token, empty for a case from before tokens; NOT_FOUND for no such case. */
    private static Optional<String> statusTokenOf(Connection c, String number) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status_token FROM citizen_case WHERE case_no = ?")) {
            bind(ps, number);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CaseException(CaseException.Kind.NOT_FOUND, "no case " + number);
                }
                return Optional.ofNullable(rs.getString(1));
            }
        }
    }

    @Override
    public Optional<PublicCaseStatus> publicStatus(String statusToken) {
        // Checked before the database sees it: anything else is not a token we made.
        if (statusToken == null || !STATUS_TOKEN.matcher(statusToken).matches()) {
            return Optional.empty();
        }
        return Transactions.read(db, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT case_no, item, department, status, in_hall, forwarded, "
                    + "submitted_at, updated_at FROM citizen_case WHERE status_token = ?")) {
                bind(ps, statusToken);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new PublicCaseStatus(rs.getString(1), rs.getString(2), rs.getString(3),
                            CaseStatus.valueOf(rs.getString(4)), rs.getBoolean(5), rs.getBoolean(6),
                            rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant()));
                }
            }
        });
    }

    /** 256 random bits, base64url: the 43 characters {@link #STATUS_TOKEN} expects. */
    static String newStatusToken() {
        return DraftStore.token(32);
    }

    @Override
    public List<CaseRecord> mine(CitizenSession session) {
        return query(SELECT + "WHERE c.applicant_hash = ? ORDER BY c.submitted_at DESC", 200,
                vault.hash(session.person().id().value()));
    }

    @Override
    public List<CaseRecord> ofDepartment(String department, int limit) {
        return query(SELECT + "WHERE c.department = ? ORDER BY c.submitted_at DESC", limit, department);
    }

    @Override
    public List<CaseRecord> hallCases(String department, int limit) {
        return query(SELECT + "WHERE c.department = ? AND c.in_hall = ? ORDER BY c.submitted_at DESC", limit, department, true);
    }

    private List<CaseRecord> query(String sql, int limit, Object... args) {
        return Transactions.read(db, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                ps.setMaxRows(limit);
                List<CaseRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String number = rs.getString(1);
                        Person applicant = new Person(new ResidentId(vault.decrypt(rs.getString(12))), rs.getString(13));
                        out.add(new CaseRecord(number, rs.getString(2), rs.getString(3), rs.getString(4), applicant,
                                rs.getString(5), CaseStatus.valueOf(rs.getString(6)), rs.getString(7), rs.getBoolean(8),
                                rs.getString(9), rs.getTimestamp(10).toInstant(), rs.getTimestamp(11).toInstant(),
                                history(c, number)));
                    }
                }
                return out;
            }
        });
    }

    private static List<CaseEvent> history(Connection c, String number) throws SQLException {
        List<CaseEvent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT from_status, to_status, occurred_at, actor, note FROM case_event WHERE case_no = ? ORDER BY id")) {
            bind(ps, number);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String from = rs.getString(1);
                    out.add(new CaseEvent(from == null ? null : CaseStatus.valueOf(from), CaseStatus.valueOf(rs.getString(2)),
                            rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return out;
    }

    // ---- advancing --------------------------------------------------------------------------

    @Override
    public CaseRecord advance(String number, CaseStatus to, String actor, String note) {
        String text = noteText(to, note);
        Transactions.inTransaction(db, c -> {
            move(c, number, to, actor, text);
            return null;
        });
        LOG.info("Case {} -> {} by {}", number, to, actor);
        return find(number).orElseThrow();
    }

    @Override
    public void advance(Connection tx, String number, CaseStatus to, String actor, String note) throws SQLException {
        move(tx, number, to, actor, noteText(to, note));
        LOG.info("Case {} -> {} by {} (in the caller's transaction)", number, to, actor);
    }

    @Override
    public void note(Connection tx, String number, String actor, String note) throws SQLException {
        if (note == null || note.isBlank()) {
            throw new CaseException(CaseException.Kind.INVALID, "a note needs text");
        }
        String text = noteText(null, note);
        CaseStatus status = status(tx, number);
        event(tx, number, status, status, Instant.now(), actor, text);
    }

    /**
     * The note as stored: stripped, by {@link TextRule#NOTE}; a blank one is no note, which a
     * rejection needs (the citizen reads the reason).
     */
    static String noteText(CaseStatus to, String note) {
        if (note == null || note.isBlank()) {
            if (to == CaseStatus.REJECTED) {
                throw new CaseException(CaseException.Kind.INVALID, "a rejection needs a reason the citizen can read "
                        + "(field 'note')");
            }
            return null;
        }
        String problem = TextRule.NOTE.problem("note", note);
        if (problem != null) {
            throw new CaseException(CaseException.Kind.INVALID, problem);
        }
        return note.strip();
    }

    private static CaseStatus status(Connection c, String number) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM citizen_case WHERE case_no = ?")) {
            bind(ps, number);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CaseException(CaseException.Kind.NOT_FOUND, "no case " + number);
                }
                return CaseStatus.valueOf(rs.getString(1));
            }
        }
    }

    /** One status change and its history entry, on the given connection (the caller commits). */
    private static void move(Connection c, String number, CaseStatus to, String actor, String note) throws SQLException {
        Instant now = Instant.now();
        CaseStatus from = status(c, number);
        if (!from.next().contains(to)) {
            throw new CaseException(CaseException.Kind.CONFLICT, "case " + number + " is "
                    + from.name().toLowerCase(Locale.ROOT) + "; it can go to " + from.next().stream()
                            .map(s -> s.name().toLowerCase(Locale.ROOT)).toList() + ", not to "
                    + to.name().toLowerCase(Locale.ROOT));
        }
        // The status in the WHERE clause makes a concurrent change lose instead of overwrite.
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE citizen_case SET status = ?, updated_at = ? WHERE case_no = ? AND status = ?")) {
            bind(ps, to.name(), ts(now), number, from.name());
            if (ps.executeUpdate() != 1) {
                throw new CaseException(CaseException.Kind.CONFLICT, "case " + number + " changed meanwhile; reload it");
            }
        }
        event(c, number, from, to, now, actor, note);
    }

    private static void event(Connection c, String number, CaseStatus from, CaseStatus to, Instant at, String actor,
            String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO case_event (case_no, from_status, to_status, occurred_at, actor, note) VALUES (?, ?, ?, ?, ?, ?)")) {
            bind(ps, number, from == null ? null : from.name(), to.name(), ts(at), actor, note);
            ps.executeUpdate();
        }
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                // Derby checks the declared type of a NULL against the column's.
                ps.setNull(i + 1, ps.getParameterMetaData().getParameterType(i + 1));
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }
}
