package org.budayang.core.locker.internal;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.budayang.api.cases.CaseEvent;
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
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.budayang.api.locker.Compartment;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.Size;
import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.OutboxEntry;
import org.budayang.api.notify.Sms;
import org.flywaydb.core.Flyway;

/**
 * A locker world for tests: the real schema (core.store's migrations) on an in-memory Derby,
 * and in-test fakes of what other bundles provide: cases and the outbox write to the same
 * database inside the caller's transaction (so a rollback really drops them), the lock board
 * keeps door states in a map, and the clock is moved by hand.
 */
final class Fixture {
    private static final AtomicInteger DBS = new AtomicInteger();
    static final String ZHANG = "440305198808081234";
    static final String LI = "11010519491231002X";
    static final String STAFF_PHONE = "13800000001";
    static final String CITIZEN_PHONE = "13912345678";
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

    final DataSource ds;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final FakeCases cases;
    final FakeOutbox outbox = new FakeOutbox();
    final FakeBoard board = new FakeBoard();
    /** The bus of cabinet c2, when a test adds it. */
    final FakeBoard board2 = new FakeBoard();
    java.util.concurrent.ExecutorService watchers;
    final FakeReader reader = new FakeReader();
    final FakePrinter printer = new FakePrinter();
    boolean boardOnline = true;
    /** Where new codes' digits come from; a test may script it. */
    SecureRandom random = new SecureRandom();
    Settings settings;
    Lockers lockers;

    Fixture() throws SQLException {
        this(Map.of("staff.tax", STAFF_PHONE));
    }

    Fixture(Map<String, ?> config) throws SQLException {
        EmbeddedDataSource d = new EmbeddedDataSource();
        d.setDatabaseName("memory:locker" + DBS.incrementAndGet());
        d.setCreateDatabase("create");
        ds = d;
        Flyway.configure(Fixture.class.getClassLoader()).dataSource(ds)
                .locations("classpath:org/budayang/core/store/migration").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE test_outbox (id INTEGER GENERATED ALWAYS AS IDENTITY, phone VARCHAR(20), "
                    + "text VARCHAR(500), topic VARCHAR(64))");
        }
        cases = new FakeCases(ds);
        settings = Settings.from(config);
        restart();
    }

    /** Cabinet c1: S compartments 1-4 (board 1 locks 1-4), M 5-6 (board 1 locks 5-6), L 7 (board 2 lock 1). */
    static CabinetSpec c1() {
        return CabinetSpec.of("c1", "demo", "一号柜", "demo-01", "lock-1", "1/1-4:S, 1/5-6:M, 2/1:L");
    }

    /** A new service instance on the same database: what a restart of the container leaves. */
    Lockers restart() {
        lockers = new Lockers(new Db(ds), outbox, cases, new Lockers.Devices() {
            @Override
            public Optional<LockBoard> board(String device) {
                if (!boardOnline) {
                    return Optional.empty();
                }
                return device.equals("lock-1") ? Optional.of(board) : device.equals("lock-2") ? Optional.of(board2)
                        : Optional.empty();
            }

            @Override
            public Optional<IdCardReader> reader(String terminal) {
                return terminal.equals("demo-01") ? Optional.of(reader) : Optional.empty();
            }

            @Override
            public Optional<ReceiptPrinter> printer(String terminal) {
                return terminal.equals("demo-01") ? Optional.of(printer) : Optional.empty();
            }
        }, settings, new Codes(KEY, random), clock, watchers);
        lockers.addCabinet(c1(), false);
        return lockers;
    }

    // ---- what the locker tests share ----------------------------------------------------------------

    /** A tax case of 张三 with a phone in the form. */
    String taxCase(CaseStatus status) {
        return cases.create(ZHANG, "tax", status, "{\"phone\": \"13700000000\"}");
    }

    /** 张三 drops materials of the case into an S compartment of c1 and shuts the door; returns the parcel. */
    Parcel dropMaterials(String number) {
        Parcel p = lockers.depositMaterials("c1", session(ZHANG, "demo-01"), number, Size.S, CITIZEN_PHONE);
        shut(p);
        return lockers.parcel(p.id()).orElseThrow();
    }

    /** Staff put the case's result into c1 and shut the door; the citizen's code goes to 13700000000. */
    Parcel dropResult(String number, Size size) {
        Parcel p = lockers.depositResult("c1", new org.budayang.api.locker.Staff("taxstaff", java.util.Set.of("tax")),
                number, size, null);
        shut(p);
        return lockers.parcel(p.id()).orElseThrow();
    }

    /** The door of the parcel's compartment shuts, and the watcher sees it. */
    void shut(Parcel p) {
        Compartment c = compartment(p.compartment());
        board.close(c.board(), c.lock());
        lockers.tick();
    }

    Compartment compartment(int n) {
        return lockers.cabinet("c1").orElseThrow().compartments().stream().filter(c -> c.number() == n).findFirst()
                .orElseThrow();
    }

    static LockerException refused(Runnable r) {
        try {
            r.run();
        } catch (LockerException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    CitizenSession session(String id, String terminal) {
        return new CitizenSession("s-" + id, terminal, new Person(new ResidentId(id), "张三"), "idcard", clock.instant(),
                clock.instant().plusSeconds(120));
    }

    /** The pickup code of the newest SMS to this phone (the test reads it as a person reads the SMS). */
    String codeSentTo(String phone) {
        List<Sms> sent = outbox.sentTo(ds, phone);
        if (sent.isEmpty()) {
            throw new AssertionError("no SMS to " + phone);
        }
        String text = sent.get(sent.size() - 1).text();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("取件码(\\d+)").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no code in: " + text);
        }
        return m.group(1);
    }

    String state(String cabinet, int n) {
        return scalar("SELECT state FROM locker_compartment WHERE cabinet_id = ? AND n = ?", cabinet, n);
    }

    String scalar(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            Db.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    List<String> column(String sql, Object... args) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            Db.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    void sql(String sql, Object... args) {
        try (Connection c = ds.getConnection()) {
            Db.update(c, sql, args);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** Audit events of cabinet c1, oldest first. */
    List<String> events() {
        return column("SELECT event FROM locker_audit WHERE cabinet_id = 'c1' ORDER BY id");
    }

    // ---- fakes ------------------------------------------------------------------------------------

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Cases in the real tables, written on the caller's connection like core.cases does. */
    static final class FakeCases implements CaseService {
        private final DataSource ds;
        private final Map<String, Person> applicants = new ConcurrentHashMap<>();
        private final Map<String, String> forms = new ConcurrentHashMap<>();
        private final AtomicInteger numbers = new AtomicInteger();

        FakeCases(DataSource ds) {
            this.ds = ds;
        }

        String create(String idNumber, String department, CaseStatus status, String formJson) {
            String number = department.toUpperCase() + "-20261122-" + String.format("%06d", numbers.incrementAndGet());
            try (Connection c = ds.getConnection()) {
                String hash = String.format("%064d", Math.abs((long) idNumber.hashCode()));
                if (Db.update(c, "UPDATE person SET name = name WHERE id_hash = ?", hash) == 0) {
                    Db.update(c, "INSERT INTO person (id_hash, id_enc, name, updated_at) VALUES (?, 'x', '张三', ?)", hash,
                            Instant.now());
                }
                Db.update(c, "INSERT INTO citizen_case (case_no, item, department, applicant_hash, terminal, status, "
                        + "form_json, forwarded, forward_attempts, submitted_at, updated_at) VALUES (?, 'item', ?, ?, 'demo-01', ?, "
                        + "?, true, 0, ?, ?)", number, department, hash, status, formJson, Instant.now(), Instant.now());
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            applicants.put(number, new Person(new ResidentId(idNumber), "张三"));
            forms.put(number, formJson);
            return number;
        }

        @Override
        public String statusToken(String number) {
            throw new UnsupportedOperationException("lockers never ask for it");
        }

        @Override
        public Optional<org.budayang.api.cases.PublicCaseStatus> publicStatus(String statusToken) {
            return Optional.empty();
        }

        @Override
        public Optional<CaseRecord> find(String number) {
            Person p = applicants.get(number);
            if (p == null) {
                return Optional.empty();
            }
            try (Connection c = ds.getConnection()) {
                CaseStatus status = status(c, number);
                List<CaseEvent> history = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT from_status, to_status, occurred_at, actor, note FROM case_event WHERE case_no = ? ORDER BY id")) {
                    Db.bind(ps, number);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            history.add(new CaseEvent(CaseStatus.valueOf(rs.getString(1)), CaseStatus.valueOf(rs.getString(2)),
                                    rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getString(5)));
                        }
                    }
                }
                String dept = number.substring(0, number.indexOf('-')).toLowerCase();
                return Optional.of(new CaseRecord(number, "item", dept, null, p, "demo-01", status, forms.get(number), true,
                        null, Instant.now(), Instant.now(), history));
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }

        CaseStatus status(String number) {
            try (Connection c = ds.getConnection()) {
                return status(c, number);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }

        private static CaseStatus status(Connection c, String number) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT status FROM citizen_case WHERE case_no = ?")) {
                Db.bind(ps, number);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new CaseException(CaseException.Kind.NOT_FOUND, "no case " + number);
                    }
                    return CaseStatus.valueOf(rs.getString(1));
                }
            }
        }

        void set(String number, CaseStatus status) {
            try (Connection c = ds.getConnection()) {
                Db.update(c, "UPDATE citizen_case SET status = ? WHERE case_no = ?", status, number);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void advance(Connection tx, String number, CaseStatus to, String actor, String note) throws SQLException {
            CaseStatus from = status(tx, number);
            if (!from.next().contains(to)) {
                throw new CaseException(CaseException.Kind.CONFLICT, number + " is " + from);
            }
            Db.update(tx, "UPDATE citizen_case SET status = ? WHERE case_no = ?", to, number);
            Db.update(tx, "INSERT INTO case_event (case_no, from_status, to_status, occurred_at, actor, note) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", number, from, to, Instant.now(), actor, note);
        }

        /** Makes the next notes fail as a broken database would. */
        volatile int failNotes;

        @Override
        public void note(Connection tx, String number, String actor, String note) throws SQLException {
            if (failNotes > 0) {
                failNotes--;
                throw new IllegalStateException("database unavailable: disk full");
            }
            CaseStatus s = status(tx, number);
            Db.update(tx, "INSERT INTO case_event (case_no, from_status, to_status, occurred_at, actor, note) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", number, s, s, Instant.now(), actor, note);
        }

        @Override
        public CaseRecord submit(CitizenSession session, String item, String situation, String formJson) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean hasBackOffice(String department) {
            return true;
        }

        @Override
        public boolean processedInHall(String number) {
            return false;
        }

        @Override
        public List<CaseRecord> hallCases(String department, int limit) {
            return List.of();
        }

        @Override
        public List<CaseRecord> mine(CitizenSession session) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<CaseRecord> ofDepartment(String department, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CaseRecord advance(String number, CaseStatus to, String actor, String note) {
            throw new UnsupportedOperationException();
        }
    }

    /** Writes into test_outbox on the caller's connection: rolled back with the caller. */
    static final class FakeOutbox implements Outbox {
        @Override
        public long enqueue(Connection tx, Sms sms) throws SQLException {
            if (tx.getAutoCommit()) {
                throw new AssertionError("enqueue outside a transaction");
            }
            Db.update(tx, "INSERT INTO test_outbox (phone, text, topic) VALUES (?, ?, ?)", sms.phone(), sms.text(), sms.topic());
            return 1;
        }

        @Override
        public List<OutboxEntry> recent(int limit) {
            return List.of();
        }

        List<Sms> sentTo(DataSource ds, String phone) {
            List<Sms> out = new ArrayList<>();
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT phone, text, topic FROM test_outbox WHERE phone = ? ORDER BY id")) {
                Db.bind(ps, phone);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Sms(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            return out;
        }

        int count(DataSource ds) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM test_outbox")) {
                rs.next();
                return rs.getInt(1);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Door states per board/lock; scripted like the 8A simulator. */
    static final class FakeBoard implements LockBoard {
        /** LOST_REPLY: the door opens but the answer never arrives (nor one to a query). */
        enum Mode { NORMAL, NO_REPLY, STUCK, LOST_REPLY }

        final Map<String, DoorState> doors = new ConcurrentHashMap<>();
        volatile Mode mode = Mode.NORMAL;
        volatile Consumer<String> onOpen = k -> { };
        final List<String> opened = new CopyOnWriteArrayList<>();

        @Override
        public List<Integer> boards() {
            return List.of(1, 2);
        }

        @Override
        public DoorState open(int board, int lock) throws DeviceException {
            String k = board + "/" + lock;
            if (mode == Mode.NO_REPLY) {
                throw new DeviceException(DeviceException.Reason.TIMEOUT, "no reply from board " + board + " in 500 ms");
            }
            if (mode == Mode.STUCK) {
                return DoorState.CLOSED;
            }
            doors.put(k, DoorState.OPEN);
            opened.add(k);
            onOpen.accept(k);
            if (mode == Mode.LOST_REPLY) {
                throw new DeviceException(DeviceException.Reason.TIMEOUT, "open board " + board + " lock " + lock
                        + ": no complete reply within 1000 ms");
            }
            return DoorState.OPEN;
        }

        @Override
        public void openAll(int board) {
            throw new UnsupportedOperationException();
        }

        /** How long a state query takes (a slow bus). */
        volatile long queryMillis;

        @Override
        public DoorState state(int board, int lock) throws DeviceException {
            if (queryMillis > 0) {
                try {
                    Thread.sleep(queryMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (mode == Mode.NO_REPLY || mode == Mode.LOST_REPLY) {
                throw new DeviceException(DeviceException.Reason.TIMEOUT, "no reply");
            }
            return doors.getOrDefault(board + "/" + lock, DoorState.CLOSED);
        }

        /** Someone shuts the door. */
        void close(int board, int lock) {
            doors.put(board + "/" + lock, DoorState.CLOSED);
        }

        boolean isOpen(int board, int lock) {
            return doors.getOrDefault(board + "/" + lock, DoorState.CLOSED) == DoorState.OPEN;
        }
    }

    static final class FakeReader implements IdCardReader {
        volatile IdCard next;
        /** Thrown by the next read instead of a card. */
        volatile DeviceException fails;

        @Override
        public Optional<IdCard> read(Duration timeout) throws DeviceException {
            DeviceException e = fails;
            fails = null;
            if (e != null) {
                throw e;
            }
            IdCard c = next;
            next = null;
            return Optional.ofNullable(c);
        }

        void put(String idNumber) {
            next = new IdCard("张三", "男", "汉", java.time.LocalDate.of(1988, 8, 8), "深圳", new ResidentId(idNumber),
                    "深圳市公安局", java.time.LocalDate.of(2020, 1, 1), java.time.LocalDate.of(2040, 1, 1));
        }
    }

    static final class FakePrinter implements ReceiptPrinter {
        final List<Receipt> printed = new CopyOnWriteArrayList<>();
        volatile long millis;

        @Override
        public void print(Receipt receipt) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            printed.add(receipt);
        }
    }

    static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
