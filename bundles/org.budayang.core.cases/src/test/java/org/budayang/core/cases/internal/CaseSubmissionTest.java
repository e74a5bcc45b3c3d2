package org.budayang.core.cases.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.budayang.api.cases.BackOffice;
import org.budayang.api.cases.CaseRecord;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.ItemKind;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.MenuService;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.flywaydb.core.Flyway;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Submissions on the real schema (core.store's migrations) in an in-memory Derby: numbering
 * under contention and after a lost lock, and departments without a back office.
 */
public class CaseSubmissionTest {
    private static final AtomicInteger DBS = new AtomicInteger();
    private static final String[] PEOPLE = { "440305198808081234", "11010519491231002X", "310115197001010011" };

    private EmbeddedDataSource ds;
    private CaseServiceImpl cases;
    /** What the housingfund back office received. */
    private final List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Before
    public void setUp() {
        ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:cases" + DBS.incrementAndGet());
        ds.setCreateDatabase("create");
        Flyway.configure(CaseSubmissionTest.class.getClassLoader()).dataSource(ds)
                .locations("classpath:org/budayang/core/store/migration").load().migrate();
        cases = new CaseServiceImpl(ds, menus(), catalogue(), new IdVault(new byte[32]), config());
        cases.addBackOffice(reference("housingfund"), c -> {
            received.add(c.number());
            return "HF-" + c.number();
        });
    }

    @After
    public void tearDown() {
        cases.deactivate();
        EmbeddedDataSource drop = new EmbeddedDataSource();
        drop.setDatabaseName(ds.getDatabaseName());
        drop.setConnectionAttributes("drop=true");
        try (Connection c = drop.getConnection()) {
            // never: dropping answers with an exception
        } catch (SQLException expected) {
            // 08006: dropped
        }
    }

    @Test
    public void simultaneousSubmissionsOnAFreshDatabaseAreAllNumberedWithoutGaps() throws Exception {
        List<String> numbers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            numbers.addAll(rush(16, "000183001003"));
        }
        assertContiguousFromOne(numbers);
        assertEquals("every case forwarded once", 48, new TreeSet<>(received).size());
    }

    @Test
    public void aSubmissionThatLosesALockIsRunAgainAndKeepsItsNumber() throws Exception {
        String first = submit(0, "000183001003").number();
        // Someone else holds the applicant's row longer than Derby waits for a lock: the submission
        // gives up its first attempt after it took its number, rolls back and is run again.
        setDatabaseProperty("derby.locks.waitTimeout", "1");
        try (Connection other = ds.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("UPDATE person SET name = name")) {
                ps.executeUpdate();
            }
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<CaseRecord> second = pool.submit(() -> submit(0, "000183001003"));
                Thread.sleep(1_500);
                other.rollback();
                assertEquals(first.replace("000001", "000002"), second.get().number());
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(2, count("SELECT COUNT(*) FROM citizen_case"));
        assertEquals("no number skipped", 2, count("SELECT last_value FROM case_counter"));
    }

    @Test
    public void aDepartmentWithoutABackOfficeHasItsCasesProcessedInTheHall() {
        CaseRecord hall = submit(1, "000199001001");
        assertFalse(hall.forwarded());
        assertTrue(cases.processedInHall(hall.number()));
        assertFalse(cases.hasBackOffice("hrss"));
        // Nothing to retry: no lease, no attempt, not picked up by the forwarding pass.
        cases.forwardPending();
        assertEquals(0, count("SELECT forward_attempts FROM citizen_case WHERE case_no = '" + hall.number() + "'"));
        assertNull(scalar("SELECT next_forward_at FROM citizen_case WHERE case_no = '" + hall.number() + "'"));
        assertEquals(List.of(hall.number()), cases.hallCases("hrss", 10).stream().map(CaseRecord::number).toList());

        CaseRecord fund = submit(1, "000183001003");
        assertTrue(fund.forwarded());
        assertFalse(cases.processedInHall(fund.number()));
        assertEquals(List.of(), cases.hallCases("housingfund", 10));
    }

    @Test
    public void aConfiguredConnectorStillStartingCountsAsABackOffice() {
        ConfigurationAdmin admin = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ConfigurationAdmin.class }, (p, m, a) -> m.getName().equals("listConfigurations")
                        && a[0].toString().contains("(department=traffic)") ? new org.osgi.service.cm.Configuration[1] : null);
        cases.setConfigAdmin(admin);
        assertTrue(cases.hasBackOffice("traffic"));
        CaseRecord kept = submit(0, "000133001001");
        assertFalse(kept.forwarded());
        assertFalse("kept for its back office", cases.processedInHall(kept.number()));
        assertFalse(cases.hasBackOffice("hrss"));
    }

    @Test
    public void aKeptCaseWhoseBackOfficeWentAwayIsHandedToTheHall() throws Exception {
        ServiceReference<BackOffice> medical = reference("medical");
        cases.addBackOffice(medical, c -> {
            throw new BackOffice.Unavailable("down", null);
        });
        CaseRecord kept = submit(2, "000166001001");
        assertFalse(kept.forwarded());
        assertFalse(cases.processedInHall(kept.number()));
        cases.removeBackOffice(medical);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE citizen_case SET next_forward_at = ?")) {
            ps.setTimestamp(1, java.sql.Timestamp.from(Instant.now().minusSeconds(60)));
            ps.executeUpdate();
        }
        cases.forwardPending();
        assertTrue(cases.processedInHall(kept.number()));
        assertNull(scalar("SELECT next_forward_at FROM citizen_case WHERE case_no = '" + kept.number() + "'"));
        int attempts = count("SELECT forward_attempts FROM citizen_case");
        cases.forwardPending();
        assertEquals("no further attempts", attempts, count("SELECT forward_attempts FROM citizen_case"));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private List<String> rush(int threads, String item) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CaseRecord>> all = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int person = i % PEOPLE.length;
                all.add(pool.submit(() -> {
                    start.await();
                    return submit(person, item);
                }));
            }
            start.countDown();
            List<String> out = new ArrayList<>();
            for (Future<CaseRecord> f : all) {
                out.add(f.get().number());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertContiguousFromOne(List<String> numbers) {
        TreeSet<Integer> n = new TreeSet<>();
        numbers.forEach(s -> n.add(Integer.parseInt(s.substring(s.lastIndexOf('-') + 1))));
        assertEquals("no number twice: " + numbers, numbers.size(), n.size());
        assertEquals("1 to " + numbers.size() + ": " + n, List.of(1, numbers.size()), List.of(n.first(), n.last()));
    }

    private CaseRecord submit(int person, String item) {
        Instant now = Instant.now();
        CitizenSession s = new CitizenSession("s" + person, "t1", new Person(new ResidentId(PEOPLE[person]), "张三"), "idcard",
                now, now.plusSeconds(600));
        return cases.submit(s, item, null, "{\"phone\": \"13800138000\"}");
    }

    private void setDatabaseProperty(String key, String value) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY(?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.execute();
        }
    }

    private Object scalar(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private int count(String sql) {
        return ((Number) scalar(sql)).intValue();
    }

    /** One terminal offering an application item of four departments (hrss has no back office). */
    private static MenuService menus() {
        List<Menu.Section> sections = new ArrayList<>();
        String[][] items = { { "housingfund", "000183001003" }, { "hrss", "000199001001" }, { "medical", "000166001001" },
                { "traffic", "000133001001" } };
        for (String[] i : items) {
            LocalizedText name = new LocalizedText("办件", "Application");
            sections.add(new Menu.Section(new Department(i[0], name), List.of(new Item(i[1], i[0], name,
                    ItemKind.APPLICATION, java.util.Set.of(), List.of(), List.of()))));
        }
        Menu menu = new Menu("t1", "demo", sections, "e1");
        return terminal -> terminal.equals("t1") ? Optional.of(menu) : Optional.empty();
    }

    /** Items without a form schema: any form object passes. */
    private static Catalogue catalogue() {
        return (Catalogue) Proxy.newProxyInstance(CaseSubmissionTest.class.getClassLoader(), new Class<?>[] { Catalogue.class },
                (p, m, a) -> {
                    if (m.getName().equals("validateForm")) {
                        return List.of();
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    /** Forwarding passes only when a test runs one. */
    private static CasesConfig config() {
        return (CasesConfig) Proxy.newProxyInstance(CaseSubmissionTest.class.getClassLoader(), new Class<?>[] { CasesConfig.class },
                (p, m, a) -> switch (m.getName()) {
                    case "forward_interval_seconds" -> 3600;
                    case "forward_max_backoff_seconds" -> 30;
                    case "data_key" -> "";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private static ServiceReference<BackOffice> reference(String department) {
        long id = DBS.incrementAndGet();
        return (ServiceReference<BackOffice>) Proxy.newProxyInstance(CaseSubmissionTest.class.getClassLoader(),
                new Class<?>[] { ServiceReference.class }, (p, m, a) -> switch (m.getName()) {
                    case "getProperty" -> BackOffice.DEPARTMENT.equals(a[0]) ? department : null;
                    case "compareTo" -> Integer.compare((int) id, a[0].hashCode());
                    case "hashCode" -> (int) id;
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
