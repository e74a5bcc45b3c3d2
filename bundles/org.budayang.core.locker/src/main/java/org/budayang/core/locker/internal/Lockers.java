package org.budayang.core.locker.internal;

import static org.budayang.core.locker.internal.Db.instant;
import static org.budayang.core.locker.internal.Db.update;
import static org.budayang.core.locker.internal.Rows.COMPARTMENT_COLS;
import static org.budayang.core.locker.internal.Rows.PARCEL_COLS;
import static org.budayang.core.locker.internal.Rows.maskPhone;
import static org.budayang.core.locker.internal.Rows.parcelRow;
import static org.budayang.core.locker.internal.Rows.row;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.budayang.api.cases.CaseException;
import org.budayang.api.cases.CaseRecord;
import org.budayang.api.cases.CaseService;
import org.budayang.api.cases.CaseStatus;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DoorState;
import org.budayang.api.device.IdCard;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.device.LockBoard;
import org.budayang.api.device.Receipt;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.locker.AuditEntry;
import org.budayang.api.locker.AuditEvent;
import org.budayang.api.locker.Cabinet;
import org.budayang.api.locker.Compartment;
import org.budayang.api.locker.Direction;
import org.budayang.api.locker.DoorAction;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.LockerException.Kind;
import org.budayang.api.locker.LockerService;
import org.budayang.api.locker.Overview;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.ParcelState;
import org.budayang.api.locker.Size;
import org.budayang.api.locker.Staff;
import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.Sms;
import org.budayang.core.locker.internal.Rows.ParcelRow;
import org.budayang.core.locker.internal.Rows.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The locker logic, free of OSGi so that tests drive it with fake boards and a real database.
 *
 * <p>Each door command follows the same pattern: (1) one transaction writes the intent (the
 * compartment's {@code door_action}) before the command goes to the board; (2) the board is
 * asked to open; (3) one transaction records what the board answered: opened (deposit under
 * way, or pickup done), or the intent is undone and the failure audited. The door watcher
 * ({@link #tick()}) polls open doors until the board reports them closed and records that in
 * one transaction (a stored parcel with its code, SMS and case history; or a free compartment).
 * An intent without a recorded answer that no thread of this process is working on is a
 * leftover of a crash, or of an open the board did not answer (its door's state is unknown):
 * the watcher asks the board and settles it ({@link AuditEvent#RECONCILE}).
 *
 * <p>{@code busy} holds the compartments a thread is working on right now; requests and the
 * watcher take it before touching a compartment, so neither acts on the other's half-done work.
 */
final class Lockers implements LockerService {
    /** How the logic reaches the devices; empty when the device is not attached (offline). */
    interface Devices {
        Optional<LockBoard> board(String device);

        Optional<IdCardReader> reader(String terminal);

        Optional<ReceiptPrinter> printer(String terminal);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Lockers.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(CHINA);
    private static final DateTimeFormatter SLIP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(CHINA);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(CHINA);
    static final String SYSTEM = "system";
    static final String CODE_ACTOR = "code";
    static final String TOPIC_STAFF = "locker.staff-pickup";
    static final String TOPIC_CITIZEN = "locker.citizen-pickup";
    /** How long a request waits for another thread's work on the same compartment. */
    static final Duration BUSY_WAIT = Duration.ofSeconds(3);

    private final Db db;
    private final Outbox outbox;
    private final CaseService cases;
    private final Devices devices;
    private final Settings settings;
    private final Codes codes;
    private final CodeGuard guard;
    private final Clock clock;
    private final Map<String, CabinetSpec> cabinets = new ConcurrentHashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /** Runs the door watcher's per-bus passes side by side; null: one after the other (tests). */
    private final java.util.concurrent.ExecutorService watchers;
    /**
     * Compartments whose open the board confirmed but whose record failed (the database gave up):
     * the watcher then records the open even if the door has shut again meanwhile.
     */
    private final Set<String> confirmedOpen = ConcurrentHashMap.newKeySet();

    Lockers(Db db, Outbox outbox, CaseService cases, Devices devices, Settings settings, Codes codes, Clock clock) {
        this(db, outbox, cases, devices, settings, codes, clock, null);
    }

    Lockers(Db db, Outbox outbox, CaseService cases, Devices devices, Settings settings, Codes codes, Clock clock,
            java.util.concurrent.ExecutorService watchers) {
        this.watchers = watchers;
        this.db = db;
        this.outbox = outbox;
        this.cases = cases;
        this.devices = devices;
        this.settings = settings;
        this.codes = codes;
        this.guard = new CodeGuard(settings.freeAttempts(), settings.codeWait());
        this.clock = clock;
    }

    private static String key(String cabinet, int n) {
        return cabinet + "/" + n;
    }

    // ---- cabinets -----------------------------------------------------------------------------

    /**
     * Adds (or replaces) a configured cabinet and brings its compartment rows in line with the
     * configuration: new compartments start free; a compartment no longer configured is dropped
     * if it is empty, else kept (with its lock) until its parcel is out.
     *
     * The cabinet's code length follows from its compartments ({@link CodeGuard#register}).
     *
     * @return false if another configuration already uses this cabinet id
     */
    synchronized boolean addCabinet(CabinetSpec spec, boolean replace) {
        if (!replace && cabinets.containsKey(spec.id())) {
            return false;
        }
        int compartments = db.tx(c -> {
            Map<Integer, Row> existing = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COMPARTMENT_COLS
                    + " FROM locker_compartment c WHERE c.cabinet_id = ?")) {
                Db.bind(ps, spec.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row r = row(rs);
                        existing.put(r.n(), r);
                    }
                }
            }
            Instant now = clock.instant();
            for (CabinetSpec.Slot s : spec.slots()) {
                Row r = existing.remove(s.number());
                if (r == null) {
                    update(c, "INSERT INTO locker_compartment (cabinet_id, n, board, lock_no, size, state, changed_at) "
                            + "VALUES (?, ?, ?, ?, ?, 'FREE', ?)", spec.id(), s.number(), s.board(), s.lock(), s.size(), now);
                } else if (r.board() != s.board() || r.lock() != s.lock() || r.size() != s.size()) {
                    update(c, "UPDATE locker_compartment SET board = ?, lock_no = ?, size = ? WHERE cabinet_id = ? AND n = ?",
                            s.board(), s.lock(), s.size(), spec.id(), s.number());
                    LOG.info("Cabinet {} compartment {} is now lock {}/{} size {}", spec.id(), s.number(), s.board(),
                            s.lock(), s.size());
                }
            }
            int kept = 0;
            for (Row r : existing.values()) {
                if (r.parcelId() == null && r.door() == null) {
                    update(c, "DELETE FROM locker_compartment WHERE cabinet_id = ? AND n = ?", spec.id(), r.n());
                    // Its used codes go with it: the guard counts at most one remembered code per compartment.
                    update(c, "UPDATE locker_parcel SET code_hash = NULL WHERE cabinet_id = ? AND compartment = ? "
                            + "AND state = 'COLLECTED'", spec.id(), r.n());
                } else {
                    kept++;
                    LOG.warn("Cabinet {} compartment {} is no longer configured but holds parcel {}: kept until emptied",
                            spec.id(), r.n(), r.parcelId());
                }
            }
            return spec.slots().size() + kept;
        });
        guard.register(spec.id(), compartments, settings.codeLength());
        cabinets.put(spec.id(), spec);
        LOG.info("Cabinet {} ({} compartments) in hall {} on lock device {}, terminal {}", spec.id(), spec.slots().size(),
                spec.hall(), spec.lockDevice(), spec.terminal());
        return true;
    }

    void removeCabinet(CabinetSpec spec) {
        if (cabinets.remove(spec.id(), spec)) {
            LOG.info("Cabinet {} removed from the configuration (its records stay)", spec.id());
        }
    }

    private CabinetSpec spec(String id) {
        CabinetSpec s = id == null ? null : cabinets.get(id);
        if (s == null) {
            throw new LockerException(Kind.NOT_FOUND, "not_found", "no cabinet '" + id + "'");
        }
        return s;
    }

    private LockBoard board(CabinetSpec cab) {
        return devices.board(cab.lockDevice()).orElseThrow(() -> new LockerException(Kind.UNAVAILABLE, "lock_unavailable",
                "the lock board '" + cab.lockDevice() + "' of cabinet " + cab.id() + " is offline; nothing was changed"));
    }

    @Override
    public List<Cabinet> cabinets(String hall) {
        List<Cabinet> out = new ArrayList<>();
        cabinets.values().stream().filter(s -> s.hall().equals(hall)).sorted(Comparator.comparing(CabinetSpec::id))
                .forEach(s -> out.add(view(s)));
        return out;
    }

    @Override
    public Optional<Cabinet> cabinet(String id) {
        CabinetSpec s = id == null ? null : cabinets.get(id);
        return s == null ? Optional.empty() : Optional.of(view(s));
    }

    private Cabinet view(CabinetSpec s) {
        List<Compartment> list = db.read(c -> {
            List<Compartment> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COMPARTMENT_COLS + ", " + PARCEL_COLS
                    + " FROM locker_compartment c LEFT JOIN locker_parcel p ON p.id = c.parcel_id WHERE c.cabinet_id = ? "
                    + "ORDER BY c.n")) {
                Db.bind(ps, s.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row r = row(rs);
                        ParcelRow p = parcelRow(rs, 13);
                        out.add(compartment(r, p == null ? null : p.view()));
                    }
                }
            }
            return out;
        });
        return new Cabinet(s.id(), s.hall(), s.name(), s.terminal(), s.lockDevice(),
                devices.board(s.lockDevice()).isPresent(), list);
    }

    private static Compartment compartment(Row r, Parcel p) {
        return new Compartment(r.n(), r.board(), r.lock(), r.size(), r.state(), r.door(), r.openedAt(), r.note(), p);
    }

    private Compartment compartment(String cabinet, int n) {
        return cabinet(cabinet).orElseThrow().compartments().stream().filter(x -> x.number() == n).findFirst()
                .orElseThrow();
    }

    @Override
    public Optional<Parcel> parcel(long id) {
        return Optional.ofNullable(db.read(c -> parcelRow(c, "p.id = ?", id))).map(ParcelRow::view);
    }

    // ---- deposits -----------------------------------------------------------------------------

    @Override
    public Parcel depositMaterials(String cabinet, CitizenSession session, String caseNumber, Size size, String phone) {
        CabinetSpec cab = spec(cabinet);
        if (!cab.terminal().equals(session.terminal())) {
            throw new LockerException(Kind.FORBIDDEN, "wrong_terminal", "materials for cabinet " + cab.id()
                    + " are handed in at its terminal " + cab.terminal() + "; this session is at " + session.terminal());
        }
        Inputs.phone(phone);
        Inputs.size(size);
        Inputs.caseNumber(caseNumber);
        CaseRecord kase = cases.find(caseNumber).filter(k -> k.applicant().id().equals(session.person().id()))
                .orElseThrow(() -> new LockerException(Kind.NOT_FOUND, "not_found", "no case " + caseNumber + " of yours"));
        if (kase.status() != CaseStatus.SUBMITTED && kase.status() != CaseStatus.ACCEPTED) {
            throw new LockerException(Kind.CONFLICT, "case_closed", "case " + caseNumber + " is "
                    + kase.status().name().toLowerCase(Locale.ROOT) + "; paper materials are taken while it is submitted or accepted");
        }
        return deposit(cab, kase, Direction.IN, size, phone, "citizen:" + session.person().id().masked());
    }

    @Override
    public Parcel depositResult(String cabinet, Staff staff, String caseNumber, Size size, String phone) {
        CabinetSpec cab = spec(cabinet);
        Inputs.phone(phone);
        Inputs.size(size);
        Inputs.caseNumber(caseNumber);
        CaseRecord kase = cases.find(caseNumber)
                .orElseThrow(() -> new LockerException(Kind.NOT_FOUND, "not_found", "no case " + caseNumber));
        if (!staff.departments().contains(kase.department())) {
            throw new LockerException(Kind.FORBIDDEN, "forbidden", "case " + caseNumber + " belongs to department "
                    + kase.department() + "; user '" + staff.user() + "' works for " + staff.departments());
        }
        if (kase.status() != CaseStatus.APPROVED && kase.status() != CaseStatus.RESULT_READY) {
            throw new LockerException(Kind.CONFLICT, "not_approved", "case " + caseNumber + " is "
                    + kase.status().name().toLowerCase(Locale.ROOT) + "; a result goes in the locker once it is approved");
        }
        String to = phone != null ? phone : knownPhone(kase);
        if (to == null) {
            throw new LockerException(Kind.INVALID, "invalid_field", "no mobile number is known for case " + caseNumber
                    + " (none given at drop-off or in the form): give 'phone' so the citizen gets the pickup code");
        }
        return deposit(cab, kase, Direction.OUT, size, to, "staff:" + staff.user());
    }

    /** The phone the citizen gave when handing in materials, else the form's {@code phone} field. */
    private String knownPhone(CaseRecord kase) {
        String given = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT phone FROM locker_parcel WHERE case_no = ? "
                    + "AND direction = 'IN' AND phone IS NOT NULL ORDER BY id DESC")) {
                Db.bind(ps, kase.number());
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        if (given != null) {
            return given;
        }
        try {
            JsonNode phone = JSON.readTree(kase.formJson()).path("phone");
            return phone.isTextual() && phone.textValue().matches("1[3-9][0-9]{9}") ? phone.textValue() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private record Reservation(String key, int n, int board, int lock, long parcel) {
    }

    private Parcel deposit(CabinetSpec cab, CaseRecord kase, Direction dir, Size size, String phone, String actor) {
        LockBoard board = board(cab);
        Reservation r = reserve(cab, kase, dir, size, phone, actor);
        try {
            DoorState state;
            try {
                state = board.open(r.board(), r.lock());
            } catch (DeviceException e) {
                throw doorUnknown(cab, r.n(), DoorAction.DEPOSIT, actor, r.parcel(), e, "the locker did not answer, so it "
                        + "is not known whether compartment " + r.n() + " opened; nothing was stored. Please try again in a "
                        + "moment; if the door is open, close it");
            } catch (RuntimeException e) {
                // Refused before anything was sent (e.g. a lock not on the bus): the door is as it was.
                String why = describe(e);
                db.tx(c -> {
                    releaseReservation(c, cab, r.n(), r.parcel());
                    audit(c, cab, r.n(), actor, AuditEvent.OPEN_FAILED, r.parcel(), why + "; reservation released");
                    return null;
                });
                LOG.warn("Cabinet {} compartment {}: open for a deposit failed ({}); reservation released", cab.id(), r.n(), why);
                throw new LockerException(Kind.UNAVAILABLE, "lock_unavailable", "the locker could not open compartment "
                        + r.n() + "; nothing was stored. Please ask the hall staff");
            }
            if (state != DoorState.OPEN) {
                db.tx(c -> {
                    Instant now = clock.instant();
                    update(c, "UPDATE locker_parcel SET state = 'CANCELLED', slot = NULL, case_slot = NULL WHERE id = ? "
                            + "AND state = 'DEPOSITING'", r.parcel());
                    update(c, "UPDATE locker_compartment SET state = 'OUT_OF_SERVICE', parcel_id = NULL, door_action = NULL, "
                            + "door_actor = NULL, door_intent_at = NULL, door_opened_at = NULL, note = ?, changed_at = ? "
                            + "WHERE cabinet_id = ? AND n = ? AND parcel_id = ?",
                            "door did not open at " + SLIP_TIME.format(now) + " (board reports it closed): check the lock",
                            now, cab.id(), r.n(), r.parcel());
                    audit(c, cab, r.n(), actor, AuditEvent.DOOR_STUCK, r.parcel(), "board reports the door closed after "
                            + "the open command; reservation released");
                    audit(c, cab, r.n(), SYSTEM, AuditEvent.OUT_OF_SERVICE, null, "door stuck on a deposit");
                    return null;
                });
                LOG.warn("Cabinet {} compartment {}: door stuck on a deposit, taken out of service", cab.id(), r.n());
                throw new LockerException(Kind.CONFLICT, "door_stuck", "compartment " + r.n() + " of cabinet " + cab.id()
                        + " did not open (the board reports its door closed); it was taken out of service and nothing "
                        + "was stored. Try again: another compartment will be chosen");
            }
            recordOpen(r.key(), () -> db.tx(c -> {
                if (update(c, "UPDATE locker_compartment SET door_opened_at = ? WHERE cabinet_id = ? AND n = ? "
                        + "AND door_action = 'DEPOSIT' AND parcel_id = ?", clock.instant(), cab.id(), r.n(), r.parcel()) != 1) {
                    throw new IllegalStateException("compartment " + key(cab.id(), r.n()) + " changed while its door opened");
                }
                audit(c, cab, r.n(), actor, AuditEvent.OPEN, r.parcel(), "door open for a deposit (" + dir + ", case "
                        + kase.number() + ")");
                return null;
            }));
        } finally {
            busy.remove(r.key());
        }
        LOG.info("Cabinet {} compartment {} open for a deposit of case {} by {}", cab.id(), r.n(), kase.number(), actor);
        return parcel(r.parcel()).orElseThrow();
    }

    /**
     * Gives a free compartment of the size to a new parcel, with the deposit intent, in one
     * transaction. The compartment is marked busy for the caller, who must release it. A case that
     * already holds its compartments in this direction is refused before any is touched.
     */
    private Reservation reserve(CabinetSpec cab, CaseRecord kase, Direction dir, Size size, String phone, String actor) {
        int limit = dir == Direction.IN ? settings.maxMaterials() : settings.maxResults();
        CaseSlots.refuseAtLimit(db, kase.number(), dir, limit);
        List<int[]> candidates = db.read(c -> {
            List<int[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT n, board, lock_no FROM locker_compartment "
                    + "WHERE cabinet_id = ? AND size = ? AND state = 'FREE' AND door_action IS NULL ORDER BY n")) {
                Db.bind(ps, cab.id(), size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new int[] { rs.getInt(1), rs.getInt(2), rs.getInt(3) });
                    }
                }
            }
            return out;
        });
        for (int[] cand : candidates) {
            String key = key(cab.id(), cand[0]);
            if (!busy.add(key)) {
                continue;
            }
            Long parcel;
            try {
                parcel = reserveIn(cab, kase, dir, size, phone, actor, cand[0], limit);
            } catch (RuntimeException e) {
                busy.remove(key);
                throw e;
            }
            if (parcel != null) {
                return new Reservation(key, cand[0], cand[1], cand[2], parcel);
            }
            busy.remove(key);
        }
        // The compartments may have been busy with another drop-off of this very case: say so, not "full".
        CaseSlots.refuseAtLimit(db, kase.number(), dir, limit);
        List<String> free = db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT size FROM locker_compartment WHERE cabinet_id = ? "
                    + "AND state = 'FREE' AND door_action IS NULL ORDER BY size")) {
                Db.bind(ps, cab.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1).strip());
                    }
                }
            }
            return out;
        });
        throw new LockerException(Kind.CONFLICT, "no_free_compartment", "no free compartment of size " + size
                + " in cabinet " + cab.id() + (free.isEmpty() ? "; the cabinet is full" : "; sizes with free compartments: "
                        + String.join(", ", free)));
    }

    /**
     * Reserves compartment {@code n} for a new parcel of the case; null if the compartment was
     * taken meanwhile. The case's place ({@code case_slot}, unique) is taken in the same
     * transaction: of two drop-offs racing for a case's last place the second waits for the first
     * and finds it taken, and then is refused.
     */
    private Long reserveIn(CabinetSpec cab, CaseRecord kase, Direction dir, Size size, String phone, String actor, int n,
            int limit) {
        for (int round = 0;; round++) {
            try {
                return db.tx(c -> {
                    String place = CaseSlots.free(c, kase.number(), dir, limit);
                    if (place == null) {
                        throw CaseSlots.limitReached(CaseSlots.held(c, kase.number(), dir), kase.number(), dir, limit);
                    }
                    Instant now = clock.instant();
                    // The state in the WHERE clause is what keeps one compartment from two parcels.
                    if (update(c, "UPDATE locker_compartment SET state = 'RESERVED', door_action = 'DEPOSIT', door_actor = ?, "
                            + "door_intent_at = ?, door_opened_at = NULL, changed_at = ? WHERE cabinet_id = ? AND n = ? "
                            + "AND state = 'FREE' AND door_action IS NULL", actor, now, now, cab.id(), n) != 1) {
                        return null;
                    }
                    long id;
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO locker_parcel (case_no, department, "
                            + "direction, state, cabinet_id, compartment, slot, case_slot, phone, created_at, created_by) "
                            + "VALUES (?, ?, ?, 'DEPOSITING', ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                        Db.bind(ps, kase.number(), kase.department(), dir, cab.id(), n, key(cab.id(), n), place, phone, now,
                                actor);
                        CaseSlots.insert(ps);
                        try (ResultSet keys = ps.getGeneratedKeys()) {
                            keys.next();
                            id = keys.getLong(1);
                        }
                    }
                    update(c, "UPDATE locker_compartment SET parcel_id = ? WHERE cabinet_id = ? AND n = ?", id, cab.id(), n);
                    audit(c, cab, n, actor, AuditEvent.RESERVE, id, "size " + size + " for case " + kase.number()
                            + " (" + dir + ")");
                    return id;
                });
            } catch (CaseSlots.Taken e) {
                // Another drop-off of this case took that place and committed: look again.
                if (round >= limit) {
                    throw new IllegalStateException("case " + kase.number() + ": no place after " + round + " rounds", e);
                }
            }
        }
    }

    private static void releaseReservation(Connection c, CabinetSpec cab, int n, long parcel) throws SQLException {
        update(c, "UPDATE locker_parcel SET state = 'CANCELLED', slot = NULL, case_slot = NULL WHERE id = ? "
                + "AND state = 'DEPOSITING'", parcel);
        update(c, "UPDATE locker_compartment SET state = 'FREE', parcel_id = NULL, door_action = NULL, door_actor = NULL, "
                + "door_intent_at = NULL, door_opened_at = NULL WHERE cabinet_id = ? AND n = ? AND parcel_id = ? "
                + "AND door_action = 'DEPOSIT'", cab.id(), n, parcel);
    }

    /** The door closed on a deposit: stored, with a new code by SMS and a case history entry, in one transaction. */
    private void completeDeposit(Connection c, CabinetSpec cab, Row r, String how) throws SQLException {
        ParcelRow p = parcelRow(c, "p.id = ?", r.parcelId());
        Instant now = clock.instant();
        Instant expires = now.plus(settings.codeValidity());
        // A used code is remembered (to answer "already used") until the compartment gets its next
        // parcel or its validity would have ended: at most one remembered code per compartment.
        update(c, "UPDATE locker_parcel SET code_hash = NULL WHERE cabinet_id = ? AND state = 'COLLECTED' "
                + "AND code_hash IS NOT NULL AND (compartment = ? OR code_expires_at <= ?)", cab.id(), r.n(), now);
        String code = newCode(c, cab, p.id(), now, expires);
        if (update(c, "UPDATE locker_compartment SET state = 'OCCUPIED', door_action = NULL, door_actor = NULL, "
                + "door_intent_at = NULL, door_opened_at = NULL, changed_at = ? WHERE cabinet_id = ? AND n = ? "
                + "AND door_action = 'DEPOSIT' AND parcel_id = ?", now, cab.id(), r.n(), p.id()) != 1) {
            throw new IllegalStateException("compartment " + key(cab.id(), r.n()) + " changed meanwhile");
        }
        String actor = r.doorActor() == null ? SYSTEM : r.doorActor();
        String where = cab.name() + " (" + cab.id() + ") 第" + r.n() + "格";
        List<String> phones;
        String text;
        String topic;
        if (p.view().direction() == Direction.IN) {
            phones = settings.staffPhones(p.view().department());
            text = "【不打烊】办件" + p.view().caseNumber() + "的纸质材料已放入" + where + "，工作人员取件码" + code + "，"
                    + WHEN.format(expires) + "前有效。";
            topic = TOPIC_STAFF;
            caseNote(c, p.view().caseNumber(), null, actor, "纸质材料已放入" + where + " / paper materials put in cabinet "
                    + cab.id() + ", compartment " + r.n());
        } else {
            phones = p.phone() == null ? List.of() : List.of(p.phone());
            text = "【不打烊】您的办件" + p.view().caseNumber() + "的结果已放入" + where + "，取件码" + code + "，"
                    + WHEN.format(expires) + "前有效；也可在柜机刷身份证取件。";
            topic = TOPIC_CITIZEN;
            caseNote(c, p.view().caseNumber(), CaseStatus.RESULT_READY, actor, "结果已放入" + where
                    + " / result put in cabinet " + cab.id() + ", compartment " + r.n());
        }
        for (String phone : phones) {
            outbox.enqueue(c, new Sms(phone, text, topic));
        }
        String sent = phones.isEmpty()
                ? (p.view().direction() == Direction.IN ? "no staff phone configured for department " + p.view().department()
                        + ": no SMS (staff open it with their login)" : "no phone known: no SMS")
                : "pickup code sent by SMS to " + String.join(", ", phones.stream().map(Rows::maskPhone).toList());
        audit(c, cab, r.n(), actor, how.isEmpty() ? AuditEvent.CLOSE : AuditEvent.RECONCILE, p.id(),
                how + "door closed: parcel stored; " + sent);
    }

    /**
     * Stores a fresh code's hash on the parcel; a code already out in this cabinet, or a used one
     * still remembered, is drawn again (the unique hash), so "already used" never hides a live code.
     */
    private String newCode(Connection c, CabinetSpec cab, long parcel, Instant now, Instant expires) throws SQLException {
        for (int attempt = 0; attempt < 20; attempt++) {
            String code = codes.next(guard.entry(cab.id()).digits());
            try {
                if (update(c, "UPDATE locker_parcel SET state = 'STORED', stored_at = ?, code_hash = ?, code_expires_at = ? "
                        + "WHERE id = ? AND state = 'DEPOSITING'", now, codes.hash(cab.id(), code), expires, parcel) != 1) {
                    throw new IllegalStateException("parcel " + parcel + " is no longer being deposited");
                }
                return code;
            } catch (SQLException e) {
                if (!Db.duplicate(e)) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("no unused code found in 20 draws; raise code.length");
    }

    /**
     * Records the step in the case's history in the caller's transaction: the status move when
     * it applies, otherwise a note. The door already moved, so a case in an unexpected status
     * never undoes that.
     */
    private void caseNote(Connection c, String number, CaseStatus to, String actor, String note) throws SQLException {
        if (to != null) {
            try {
                cases.advance(c, number, to, actor, note);
                return;
            } catch (CaseException e) {
                if (e.kind() != CaseException.Kind.CONFLICT) {
                    throw e;
                }
            }
        }
        try {
            cases.note(c, number, actor, note);
        } catch (CaseException e) {
            LOG.error("Case {} could not get the locker note '{}': {}", number, note, e.getMessage());
        }
    }

    // ---- pickups ------------------------------------------------------------------------------

    private enum Check {
        OK, WRONG, TOO_EARLY, EXPIRED, USED
    }

    private record CodeCheck(Check result, ParcelRow parcel, CodeGuard.Wrong wrong, Instant next) {
    }

    /**
     * A code at the keypad. The guard decides first whether a code is taken now at all; only then
     * is it looked up, so a code entered too early tells nothing about itself. Only a wrong code
     * draws on the guard; an expired or already used one is answered as such without counting,
     * and a right one opens.
     */
    @Override
    public Parcel pickupWithCode(String cabinet, String code) {
        CabinetSpec cab = spec(cabinet);
        Overview.CodeEntry entry = guard.entry(cab.id());
        Inputs.code(code, entry.digits(), entry.minimumDigits(), cab.id());
        String hash = codes.hash(cab.id(), code);
        CodeCheck check = db.tx(c -> {
            Instant now = clock.instant();
            CodeGuard.Bucket bucket = guard.lock(c, cab.id());
            Instant next = guard.nextCodeAt(bucket, now);
            if (next != null) {
                audit(c, cab, null, CODE_ACTOR, AuditEvent.REFUSED_LOCKED, null, "code not checked: after wrong codes "
                        + "the next one is taken from " + SECONDS.format(next));
                return new CodeCheck(Check.TOO_EARLY, null, null, next);
            }
            // The hash is unique per cabinet: a stored parcel's (live or expired) or a remembered used one.
            ParcelRow p = parcelRow(c, "p.cabinet_id = ? AND p.code_hash = ?", cab.id(), hash);
            if (p != null && p.view().state() == ParcelState.STORED) {
                if (!p.view().codeExpiresAt().isAfter(now)) {
                    audit(c, cab, p.view().compartment(), CODE_ACTOR, AuditEvent.EXPIRED_CODE, p.id(), "code expired at "
                            + SLIP_TIME.format(p.view().codeExpiresAt()));
                    return new CodeCheck(Check.EXPIRED, p, null, null);
                }
                return new CodeCheck(Check.OK, p, null, null);
            }
            if (p != null && p.view().state() == ParcelState.COLLECTED && p.view().codeExpiresAt().isAfter(now)) {
                audit(c, cab, p.view().compartment(), CODE_ACTOR, AuditEvent.USED_CODE, p.id(), "code already used at "
                        + SLIP_TIME.format(p.view().collectedAt()) + "; not counted as wrong");
                return new CodeCheck(Check.USED, p, null, null);
            }
            CodeGuard.Wrong w = guard.wrong(bucket, now);
            guard.save(c, cab.id(), w.bucket());
            audit(c, cab, null, CODE_ACTOR, AuditEvent.WRONG_CODE, null, w.nextCodeAt() == null
                    ? "wrong code; " + w.freeLeft() + " more before codes wait"
                    : "wrong code; the next one is taken from " + SECONDS.format(w.nextCodeAt()));
            if (w.waitingStarts()) {
                audit(c, cab, null, SYSTEM, AuditEvent.LOCKOUT, null, guard.freeAttempts() + " free wrong codes used up: "
                        + "each further code waits up to " + guard.waitAfterWrong().toSeconds() + " s after the last "
                        + "wrong one; next from " + SECONDS.format(w.nextCodeAt()));
            }
            return new CodeCheck(Check.WRONG, null, w, null);
        });
        Instant now = clock.instant();
        switch (check.result()) {
            case TOO_EARLY: {
                long s = CodeGuard.secondsUntil(now, check.next());
                throw new LockerException(Kind.LOCKED_OUT, "locked_out", "after wrong codes cabinet " + cab.id()
                        + " takes the next code in " + s + " s; a code entered before is not checked. A result can "
                        + "also be picked up with the ID card", s);
            }
            case WRONG: {
                CodeGuard.Wrong w = check.wrong();
                if (w.nextCodeAt() == null) {
                    throw new LockerException(Kind.FORBIDDEN, "wrong_code", "wrong code; after " + w.freeLeft()
                            + " more wrong codes each code waits up to " + guard.waitAfterWrong().toSeconds() + " s");
                }
                long s = CodeGuard.secondsUntil(now, w.nextCodeAt());
                throw new LockerException(Kind.FORBIDDEN, "wrong_code", "wrong code; the next code is taken in " + s
                        + " s", s);
            }
            case USED:
                throw new LockerException(Kind.CONFLICT, "code_used", "this code was already used at "
                        + SLIP_TIME.format(check.parcel().view().collectedAt()) + " (China time) and opens nothing now: a "
                        + "code works once. If something is missing, ask the hall staff");
            case EXPIRED:
                throw new LockerException(Kind.GONE, "code_expired", "this code expired at "
                        + SLIP_TIME.format(check.parcel().view().codeExpiresAt()) + " (China time); "
                        + (check.parcel().view().direction() == Direction.OUT ? "swipe your ID card at the cabinet's "
                                + "terminal instead, or ask the hall staff" : "staff open it with their login"));
            default:
                return pickup(cab, check.parcel(), CODE_ACTOR);
        }
    }

    @Override
    public Parcel pickupByStaff(String cabinet, Staff staff, String caseNumber) {
        CabinetSpec cab = spec(cabinet);
        Inputs.caseNumber(caseNumber);
        ParcelRow p = db.read(c -> parcelRow(c, "p.cabinet_id = ? AND p.case_no = ? AND p.direction = 'IN' "
                + "AND p.state = 'STORED'", cab.id(), caseNumber));
        if (p == null) {
            throw new LockerException(Kind.NOT_FOUND, "no_parcel", "no materials of case " + caseNumber
                    + " are stored in cabinet " + cab.id());
        }
        if (!staff.departments().contains(p.view().department())) {
            throw new LockerException(Kind.FORBIDDEN, "forbidden", "case " + caseNumber + " belongs to department "
                    + p.view().department() + "; user '" + staff.user() + "' works for " + staff.departments());
        }
        return pickup(cab, p, "staff:" + staff.user());
    }

    @Override
    public Parcel pickupWithIdCard(String cabinet, Duration wait) {
        CabinetSpec cab = spec(cabinet);
        Optional<IdCardReader> reader = devices.reader(cab.terminal());
        if (reader.isEmpty()) {
            LOG.warn("Cabinet {}: ID-card pickup refused, terminal {} has no working reader", cab.id(), cab.terminal());
            throw new LockerException(Kind.UNAVAILABLE, "reader_unavailable", "the ID-card reader of this terminal is "
                    + "not working right now; please use the pickup code from the SMS, or ask the hall staff");
        }
        Optional<IdCard> card;
        try {
            card = reader.get().read(wait == null ? settings.idCardWait() : wait);
        } catch (DeviceException e) {
            // The driver's words (BAD_REPLY, checksums) go to the log; the citizen gets a sentence.
            LOG.warn("Cabinet {}: ID-card pickup refused, the reader of terminal {} failed: {}", cab.id(), cab.terminal(),
                    describe(e));
            throw new LockerException(Kind.UNAVAILABLE, "reader_unavailable", e.reason() == DeviceException.Reason.REFUSED
                    ? "the card on the reader cannot be used: " + e.getMessage()
                    : "the ID-card reader did not work; please try again, use the pickup code from the SMS, or ask the "
                            + "hall staff");
        }
        if (card.isEmpty()) {
            throw new LockerException(Kind.CONFLICT, "no_card", "no ID card was put on the reader of terminal "
                    + cab.terminal() + " in time");
        }
        IdCard id = card.get();
        List<ParcelRow> waiting = db.read(c -> {
            List<ParcelRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + PARCEL_COLS + " FROM locker_parcel p "
                    + "WHERE p.cabinet_id = ? AND p.direction = 'OUT' AND p.state = 'STORED' ORDER BY p.id")) {
                Db.bind(ps, cab.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(parcelRow(rs, 1));
                    }
                }
            }
            return out;
        });
        // The case's applicant is the person the result is for: compare with the card, never log either.
        for (ParcelRow p : waiting) {
            Optional<CaseRecord> k = cases.find(p.view().caseNumber());
            if (k.isPresent() && k.get().applicant().id().equals(id.id())) {
                return pickup(cab, p, "idcard:" + id.id().masked());
            }
        }
        throw new LockerException(Kind.NOT_FOUND, "no_parcel", "no result for " + id.id().masked()
                + " is waiting in cabinet " + cab.id());
    }

    /**
     * Opens a stored parcel's door. Done only once the board confirms the door open: the parcel
     * is collected and its case moves on in that same transaction; otherwise nothing changes
     * but the audit log.
     */
    private Parcel pickup(CabinetSpec cab, ParcelRow p, String actor) {
        LockBoard board = board(cab);
        int n = p.view().compartment();
        String key = key(cab.id(), n);
        if (!acquire(key)) {
            throw busyCompartment(cab, n);
        }
        try {
            Row r = db.tx(c -> {
                Instant now = clock.instant();
                if (update(c, "UPDATE locker_compartment SET door_action = 'PICKUP', door_actor = ?, door_intent_at = ?, "
                        + "door_opened_at = NULL WHERE cabinet_id = ? AND n = ? AND state = 'OCCUPIED' AND parcel_id = ? "
                        + "AND door_action IS NULL", actor, now, cab.id(), n, p.id()) != 1) {
                    return null;
                }
                return row(c, cab.id(), n);
            });
            if (r == null) {
                throw busyCompartment(cab, n);
            }
            DoorState state;
            try {
                state = board.open(r.board(), r.lock());
            } catch (DeviceException e) {
                throw doorUnknown(cab, n, DoorAction.PICKUP, actor, p.id(), e, "the locker did not answer, so it is not "
                        + "known whether compartment " + n + " opened; nothing was recorded as picked up yet. If the door "
                        + "is open, take your documents; if not, please try again in a moment (the code still works)");
            } catch (RuntimeException e) {
                String why = describe(e);
                clearIntent(cab, n, DoorAction.PICKUP, AuditEvent.OPEN_FAILED, actor, p.id(),
                        why + "; pickup not recorded, parcel kept");
                LOG.warn("Cabinet {} compartment {}: open for a pickup failed ({}); parcel {} kept", cab.id(), n, why, p.id());
                throw new LockerException(Kind.UNAVAILABLE, "lock_unavailable", "the locker could not open compartment "
                        + n + "; nothing was recorded as picked up: the parcel stays and the code still works. Please ask "
                        + "the hall staff");
            }
            if (state != DoorState.OPEN) {
                clearIntent(cab, n, DoorAction.PICKUP, AuditEvent.DOOR_STUCK, actor, p.id(),
                        "board reports the door closed after the open command; pickup not recorded, parcel kept");
                LOG.warn("Cabinet {} compartment {}: door stuck on a pickup; parcel {} kept", cab.id(), n, p.id());
                throw new LockerException(Kind.CONFLICT, "door_stuck", "compartment " + n + " of cabinet " + cab.id()
                        + " did not open (the board reports its door closed); nothing was recorded as picked up: the "
                        + "parcel stays and the code still works. Ask the hall staff for help");
            }
            recordOpen(key, () -> db.tx(c -> {
                collected(c, cab, r, p, actor, "");
                return null;
            }));
        } finally {
            busy.remove(key);
        }
        LOG.info("Cabinet {} compartment {} opened for the pickup of parcel {} (case {}) by {}", cab.id(), n, p.id(),
                p.view().caseNumber(), actor);
        return parcel(p.id()).orElseThrow();
    }

    /** The board confirmed the door open for a pickup: the parcel is out and its case moves on. */
    private void collected(Connection c, CabinetSpec cab, Row r, ParcelRow p, String actor, String how) throws SQLException {
        Instant now = clock.instant();
        if (update(c, "UPDATE locker_compartment SET door_opened_at = ? WHERE cabinet_id = ? AND n = ? "
                + "AND door_action = 'PICKUP' AND parcel_id = ? AND door_opened_at IS NULL", now, cab.id(), r.n(), p.id()) != 1
                || update(c, "UPDATE locker_parcel SET state = 'COLLECTED', slot = NULL, case_slot = NULL, collected_at = ?, "
                        + "collected_by = ? WHERE id = ? AND state = 'STORED'", now, actor, p.id()) != 1) {
            throw new IllegalStateException("compartment " + key(cab.id(), r.n()) + " changed while its door opened");
        }
        String where = cab.name() + " (" + cab.id() + ") 第" + r.n() + "格";
        if (p.view().direction() == Direction.IN) {
            caseNote(c, p.view().caseNumber(), null, actor, "纸质材料已由工作人员从" + where + "取出 / paper materials taken "
                    + "out by staff from cabinet " + cab.id() + ", compartment " + r.n());
        } else {
            caseNote(c, p.view().caseNumber(), CaseStatus.COMPLETED, actor, "结果已从" + where + "取走 / result picked up "
                    + "from cabinet " + cab.id() + ", compartment " + r.n());
        }
        audit(c, cab, r.n(), actor, how.isEmpty() ? AuditEvent.OPEN : AuditEvent.RECONCILE, p.id(),
                how + "door open for a pickup (" + p.view().direction() + ", case " + p.view().caseNumber() + ")");
    }

    /**
     * Records a door the board confirmed open. Should that fail, the intent stays and the
     * watcher records it as opened later (rather than taking the door, shut again by then, for
     * one that never opened).
     */
    private void recordOpen(String key, Runnable record) {
        try {
            record.run();
        } catch (RuntimeException e) {
            confirmedOpen.add(key);
            LOG.error("Compartment {}: the board confirmed the door open but recording it failed; the door watcher will "
                    + "record it: {}", key, e.toString());
            throw e;
        }
    }

    /**
     * An open command went out but the board did not confirm it: the board may have opened the
     * door. Its state is unknown, so the intent stays: the compartment is not given out (drop-offs
     * take only compartments without one) and the door watcher asks the board once the bus
     * answers, then settles it by the rules of a crash's leftover ({@link #reconcile}). The
     * terminal gets {@code message}; the driver's words go to the log and the audit.
     */
    private LockerException doorUnknown(CabinetSpec cab, int n, DoorAction action, String actor, Long parcel,
            DeviceException e, String message) {
        String why = describe(e);
        db.tx(c -> {
            audit(c, cab, n, actor, AuditEvent.OPEN_FAILED, parcel, why + "; the door's state is unknown: the compartment "
                    + "is kept out of use until the board reports it");
            return null;
        });
        LOG.warn("Cabinet {} compartment {}: the {} open was not confirmed ({}); the door's state is unknown, the door "
                + "watcher asks the board", cab.id(), n, action.name().toLowerCase(Locale.ROOT), why);
        return new LockerException(Kind.UNAVAILABLE, "lock_unavailable", message);
    }

    private void clearIntent(CabinetSpec cab, int n, DoorAction action, AuditEvent event, String actor, Long parcel,
            String detail) {
        db.tx(c -> {
            update(c, "UPDATE locker_compartment SET door_action = NULL, door_actor = NULL, door_intent_at = NULL, "
                    + "door_opened_at = NULL WHERE cabinet_id = ? AND n = ? AND door_action = ?", cab.id(), n, action);
            audit(c, cab, n, actor, event, parcel, detail);
            return null;
        });
    }

    /**
     * Marks a compartment as worked on by this thread. Another thread's mark is short (the door
     * watcher asking the board, or finishing a record), so a request waits for it a little
     * rather than refusing at once.
     */
    private boolean acquire(String key) {
        long until = System.nanoTime() + BUSY_WAIT.toNanos();
        while (!busy.add(key)) {
            if (System.nanoTime() > until) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static LockerException busyCompartment(CabinetSpec cab, int n) {
        return new LockerException(Kind.CONFLICT, "busy", "a door command for compartment " + n + " of cabinet "
                + cab.id() + " is under way; try again in a moment");
    }

    // ---- admin --------------------------------------------------------------------------------

    @Override
    public Compartment openByHand(String cabinet, int n, String admin, String reason) {
        CabinetSpec cab = spec(cabinet);
        String why = Inputs.reason(reason, "the door is opened by hand");
        String actor = "admin:" + admin;
        existing(cab, n);
        LockBoard board = board(cab);
        String key = key(cab.id(), n);
        if (!acquire(key)) {
            throw busyCompartment(cab, n);
        }
        try {
            Row r = db.tx(c -> {
                if (update(c, "UPDATE locker_compartment SET door_action = 'MANUAL', door_actor = ?, door_intent_at = ?, "
                        + "door_opened_at = NULL WHERE cabinet_id = ? AND n = ? AND door_action IS NULL", actor,
                        clock.instant(), cab.id(), n) != 1) {
                    return null;
                }
                return row(c, cab.id(), n);
            });
            if (r == null) {
                throw busyCompartment(cab, n);
            }
            DoorState state;
            try {
                state = board.open(r.board(), r.lock());
            } catch (DeviceException e) {
                throw doorUnknown(cab, n, DoorAction.MANUAL, actor, r.parcelId(), e, "the lock board did not answer, so it "
                        + "is not known whether compartment " + n + " of cabinet " + cab.id() + " opened (" + describe(e)
                        + "); the door watcher asks the board once it answers");
            } catch (RuntimeException e) {
                String failure = describe(e);
                clearIntent(cab, n, DoorAction.MANUAL, AuditEvent.OPEN_FAILED, actor, r.parcelId(),
                        "manual open (" + why + "): " + failure);
                throw new LockerException(Kind.UNAVAILABLE, "lock_unavailable", "the lock board did not confirm that "
                        + "compartment " + n + " of cabinet " + cab.id() + " opened (" + failure + ")");
            }
            if (state != DoorState.OPEN) {
                clearIntent(cab, n, DoorAction.MANUAL, AuditEvent.DOOR_STUCK, actor, r.parcelId(),
                        "manual open (" + why + "): board reports the door closed");
                throw new LockerException(Kind.CONFLICT, "door_stuck", "compartment " + n + " of cabinet " + cab.id()
                        + " did not open (the board reports its door closed)");
            }
            recordOpen(key, () -> db.tx(c -> {
                update(c, "UPDATE locker_compartment SET door_opened_at = ? WHERE cabinet_id = ? AND n = ? "
                        + "AND door_action = 'MANUAL'", clock.instant(), cab.id(), n);
                audit(c, cab, n, actor, AuditEvent.MANUAL_OPEN, r.parcelId(), why);
                return null;
            }));
        } finally {
            busy.remove(key);
        }
        LOG.info("Cabinet {} compartment {} opened by hand by {}", cab.id(), n, actor);
        return compartment(cab.id(), n);
    }

    private void existing(CabinetSpec cab, int n) {
        if (db.read(c -> row(c, cab.id(), n)) == null) {
            throw new LockerException(Kind.NOT_FOUND, "not_found", "cabinet " + cab.id() + " has no compartment " + n);
        }
    }

    @Override
    public Compartment setOutOfService(String cabinet, int n, boolean out, String admin, String reason) {
        CabinetSpec cab = spec(cabinet);
        existing(cab, n);
        String actor = "admin:" + admin;
        String note = out || reason != null ? Inputs.reason(reason, "it is out of service") : null;
        String key = key(cab.id(), n);
        if (!acquire(key)) {
            throw busyCompartment(cab, n);
        }
        try {
            Row now = db.tx(c -> {
                Row r = row(c, cab.id(), n);
                int changed = out
                        ? update(c, "UPDATE locker_compartment SET state = 'OUT_OF_SERVICE', note = ?, changed_at = ? "
                                + "WHERE cabinet_id = ? AND n = ? AND state = 'FREE' AND door_action IS NULL",
                                note, clock.instant(), cab.id(), n)
                        : update(c, "UPDATE locker_compartment SET state = 'FREE', note = NULL, changed_at = ? "
                                + "WHERE cabinet_id = ? AND n = ? AND state = 'OUT_OF_SERVICE' AND door_action IS NULL",
                                clock.instant(), cab.id(), n);
                if (changed != 1) {
                    return r;
                }
                audit(c, cab, n, actor, out ? AuditEvent.OUT_OF_SERVICE : AuditEvent.IN_SERVICE, null, note);
                return null;
            });
            if (now != null) {
                if (now.door() != null) {
                    throw busyCompartment(cab, n);
                }
                throw new LockerException(Kind.CONFLICT, "conflict", "compartment " + n + " of cabinet " + cab.id() + " is "
                        + now.state().name().toLowerCase(Locale.ROOT) + (out ? "; only a free compartment can be taken out "
                                + "of service" : "; it is not out of service"));
            }
        } finally {
            busy.remove(key);
        }
        return compartment(cab.id(), n);
    }

    @Override
    public Overview overview(String cabinet, int recentAudit) {
        CabinetSpec cab = spec(cabinet);
        Cabinet view = view(cab);
        Map<Size, int[]> counts = new EnumMap<>(Size.class);
        int doors = 0;
        for (Compartment x : view.compartments()) {
            int[] k = counts.computeIfAbsent(x.size(), s -> new int[5]);
            k[0]++;
            k[1 + x.state().ordinal()]++;
            if (x.door() != null) {
                doors++;
            }
        }
        Map<Size, Overview.Occupancy> occupancy = new EnumMap<>(Size.class);
        counts.forEach((s, k) -> occupancy.put(s, new Overview.Occupancy(k[0], k[1], k[2], k[3], k[4])));
        Instant next = db.read(c -> guard.nextCodeAt(CodeGuard.read(c, cab.id()), clock.instant()));
        return new Overview(view, occupancy, doors, next, guard.entry(cab.id()), audit(cabinet, recentAudit));
    }

    @Override
    public List<AuditEntry> audit(String cabinet, int limit) {
        CabinetSpec cab = spec(cabinet);
        return db.read(c -> {
            List<AuditEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, occurred_at, cabinet_id, compartment, terminal, actor, "
                    + "event, parcel_id, detail FROM locker_audit WHERE cabinet_id = ? ORDER BY id DESC")) {
                Db.bind(ps, cab.id());
                ps.setMaxRows(Math.max(1, Math.min(limit, 1000)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int n = rs.getInt(4);
                        Integer compartment = rs.wasNull() ? null : n;
                        long p = rs.getLong(8);
                        Long parcel = rs.wasNull() ? null : p;
                        out.add(new AuditEntry(rs.getLong(1), instant(rs.getTimestamp(2)), rs.getString(3), compartment,
                                rs.getString(5), rs.getString(6), AuditEvent.valueOf(rs.getString(7)), parcel, rs.getString(9)));
                    }
                }
            }
            return out;
        });
    }

    // ---- the door watcher ---------------------------------------------------------------------

    /**
     * One pass over every compartment with a door command: an open door whose board now reports
     * it closed is recorded (parcel stored with its code and SMS, or compartment free); an intent
     * nobody in this process works on is a crash's leftover and is settled by the board's answer.
     * Compartments whose board is offline wait for the next pass.
     */
    void tick() {
        List<Row> rows;
        try {
            rows = db.read(c -> {
                List<Row> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT " + COMPARTMENT_COLS
                        + " FROM locker_compartment c WHERE c.door_action IS NOT NULL ORDER BY c.cabinet_id, c.n")) {
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(row(rs));
                        }
                    }
                }
                return out;
            });
        } catch (RuntimeException e) {
            LOG.warn("Door watcher: cannot read the compartments: {}", e.getMessage());
            return;
        }
        // One task per lock bus: a bus answers one command at a time anyway, different buses
        // (and their transactions) go on side by side, so a pass does not grow with the hall.
        Map<String, List<Row>> byBus = new java.util.LinkedHashMap<>();
        for (Row seen : rows) {
            CabinetSpec cab = cabinets.get(seen.cabinet());
            if (cab != null) {
                byBus.computeIfAbsent(cab.lockDevice(), d -> new ArrayList<>()).add(seen);
            }
        }
        List<java.util.concurrent.Future<?>> passes = new ArrayList<>();
        for (List<Row> bus : byBus.values()) {
            if (watchers == null || byBus.size() == 1) {
                watch(bus);
            } else {
                passes.add(watchers.submit(() -> watch(bus)));
            }
        }
        for (java.util.concurrent.Future<?> f : passes) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("Door watcher: a pass failed: {}", e.getCause().toString());
            }
        }
    }

    /** The doors of one lock bus, one after the other. */
    private void watch(List<Row> rows) {
        for (Row seen : rows) {
            CabinetSpec cab = cabinets.get(seen.cabinet());
            if (cab == null) {
                continue;
            }
            Optional<LockBoard> board = devices.board(cab.lockDevice());
            String key = key(seen.cabinet(), seen.n());
            if (board.isEmpty() || !busy.add(key)) {
                continue;
            }
            try {
                // Read again under our mark: a request may have finished with it since the list was read.
                Row r = db.read(c -> row(c, seen.cabinet(), seen.n()));
                if (r == null || r.door() == null) {
                    continue;
                }
                DoorState state = board.get().state(r.board(), r.lock());
                if (r.openedAt() == null) {
                    reconcile(cab, r, confirmedOpen.contains(key) ? DoorState.OPEN : state, confirmedOpen.contains(key));
                    confirmedOpen.remove(key);
                } else if (state == DoorState.CLOSED) {
                    closed(cab, r);
                }
            } catch (DeviceException e) {
                LOG.debug("Door watcher: board {} did not answer for {}: {}", cab.lockDevice(), key, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("Door watcher: {} failed: {}", key, e.toString());
            } finally {
                busy.remove(key);
            }
        }
    }

    private void closed(CabinetSpec cab, Row r) {
        boolean[] stored = { false };
        db.tx(c -> {
            switch (r.door()) {
                case DEPOSIT -> {
                    completeDeposit(c, cab, r, "");
                    stored[0] = true;
                }
                case PICKUP -> {
                    if (update(c, "UPDATE locker_compartment SET state = 'FREE', parcel_id = NULL, door_action = NULL, "
                            + "door_actor = NULL, door_intent_at = NULL, door_opened_at = NULL, changed_at = ? "
                            + "WHERE cabinet_id = ? AND n = ? AND door_action = 'PICKUP' AND door_opened_at IS NOT NULL",
                            clock.instant(), cab.id(), r.n()) == 1) {
                        audit(c, cab, r.n(), r.doorActor() == null ? SYSTEM : r.doorActor(), AuditEvent.CLOSE, r.parcelId(),
                                "door closed after the pickup: compartment free");
                    }
                }
                case MANUAL -> {
                    if (update(c, "UPDATE locker_compartment SET door_action = NULL, door_actor = NULL, "
                            + "door_intent_at = NULL, door_opened_at = NULL WHERE cabinet_id = ? AND n = ? "
                            + "AND door_action = 'MANUAL'", cab.id(), r.n()) == 1) {
                        audit(c, cab, r.n(), r.doorActor() == null ? SYSTEM : r.doorActor(), AuditEvent.CLOSE, r.parcelId(),
                                "door closed after a manual open");
                    }
                }
            }
            return null;
        });
        LOG.info("Cabinet {} compartment {}: door closed ({})", cab.id(), r.n(), r.door());
        if (stored[0]) {
            printSlip(cab, r);
        }
    }

    /**
     * A door command whose outcome was never recorded (the process died between the intent and
     * the record): the board's answer decides. Open means the command went through: it is
     * recorded now, and the watcher goes on polling that door. Closed means it cannot be shown to
     * have opened: a deposit is released (nothing can be in it that the citizen was told about),
     * a pickup is not recorded (the parcel stays and its code still works).
     */
    private void reconcile(CabinetSpec cab, Row r, DoorState state, boolean confirmed) {
        String after = (confirmed ? "the board had confirmed the " + r.door().name().toLowerCase(Locale.ROOT)
                + " open but recording it failed; " : "the outcome of the " + r.door().name().toLowerCase(Locale.ROOT)
                + " open command was not recorded (the board did not answer it, the platform stopped, or its record "
                + "failed); ");
        db.tx(c -> {
            if (state == DoorState.OPEN) {
                if (r.door() == DoorAction.PICKUP) {
                    ParcelRow p = parcelRow(c, "p.id = ?", r.parcelId());
                    collected(c, cab, r, p, r.doorActor() == null ? SYSTEM : r.doorActor(), after + (confirmed ? ""
                            : "the board reports the door open, so ") + "the pickup is recorded now; ");
                } else {
                    update(c, "UPDATE locker_compartment SET door_opened_at = ? WHERE cabinet_id = ? AND n = ? "
                            + "AND door_action = ? AND door_opened_at IS NULL", clock.instant(), cab.id(), r.n(), r.door());
                    audit(c, cab, r.n(), SYSTEM, AuditEvent.RECONCILE, r.parcelId(), after
                            + (confirmed ? "" : "the board reports the door open: ") + "recorded as opened, waiting for it to close");
                }
                return null;
            }
            switch (r.door()) {
                case DEPOSIT -> {
                    releaseReservation(c, cab, r.n(), r.parcelId());
                    audit(c, cab, r.n(), SYSTEM, AuditEvent.RECONCILE, r.parcelId(), after
                            + "the board reports the door closed: reservation released, nothing stored");
                }
                case PICKUP -> {
                    update(c, "UPDATE locker_compartment SET door_action = NULL, door_actor = NULL, door_intent_at = NULL "
                            + "WHERE cabinet_id = ? AND n = ? AND door_action = 'PICKUP' AND door_opened_at IS NULL",
                            cab.id(), r.n());
                    audit(c, cab, r.n(), SYSTEM, AuditEvent.RECONCILE, r.parcelId(), after
                            + "the board reports the door closed: pickup not recorded, the parcel stays and its code still works");
                }
                case MANUAL -> {
                    update(c, "UPDATE locker_compartment SET door_action = NULL, door_actor = NULL, door_intent_at = NULL "
                            + "WHERE cabinet_id = ? AND n = ? AND door_action = 'MANUAL' AND door_opened_at IS NULL",
                            cab.id(), r.n());
                    audit(c, cab, r.n(), SYSTEM, AuditEvent.RECONCILE, r.parcelId(), after
                            + "the board reports the door closed");
                }
            }
            return null;
        });
        LOG.warn("Cabinet {} compartment {}: reconciled a {} command whose outcome was not recorded; {}", cab.id(), r.n(),
                r.door(), confirmed ? "the board had confirmed it open" : "the board says " + state);
    }

    /** A slip from the cabinet terminal's receipt printer, if it has one online; never fails the deposit. */
    private void printSlip(CabinetSpec cab, Row r) {
        Optional<ReceiptPrinter> printer = devices.printer(cab.terminal());
        if (printer.isEmpty()) {
            return;
        }
        try {
            Parcel p = parcel(r.parcelId()).orElseThrow();
            boolean in = p.direction() == Direction.IN;
            printer.get().print(new Receipt("文件柜存件凭条 Locker receipt", List.of(
                    "办件 Case: " + p.caseNumber(),
                    "文件柜 Cabinet: " + cab.name(),
                    "格口 Compartment: " + r.n() + " (" + r.size() + ")",
                    "时间 Time: " + SLIP_TIME.format(p.storedAt()),
                    in ? "已短信通知工作人员取件 Staff notified by SMS" : "已短信通知申请人取件 Citizen notified by SMS"),
                    null, "请保留本凭条 Keep this slip"));
        } catch (DeviceException | RuntimeException e) {
            LOG.warn("Cabinet {}: the pickup slip was not printed on terminal {}: {}", cab.id(), cab.terminal(), describe(e));
        }
    }

    // ---- audit --------------------------------------------------------------------------------

    private void audit(Connection c, CabinetSpec cab, Integer n, String actor, AuditEvent event, Long parcel, String detail)
            throws SQLException {
        String d = detail == null ? null : detail.length() > 1000 ? detail.substring(0, 1000) : detail;
        update(c, "INSERT INTO locker_audit (occurred_at, cabinet_id, compartment, terminal, actor, event, parcel_id, detail) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", clock.instant(), cab.id(), n, cab.terminal(), actor, event, parcel, d);
    }

    static String describe(Exception e) {
        if (e instanceof DeviceException d) {
            return d.reason() + ": " + d.getMessage();
        }
        return e.toString();
    }
}
