package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Many citizens submitting at the same moment, on a fresh container and right after the cases
 * bundle and the store (and with it Derby) restarted: every submission is accepted and the case
 * numbers of a department and day have no gap.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CaseContentionIT extends ItSupport {
    static final int THREADS = 16;
    static final String[] PEOPLE = { ZHANG, LI, "310115197001010011" };

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        return options(distribution(13));
    }

    @Override
    int offset() {
        return 13;
    }

    @Test
    public void simultaneousSubmissionsAreAllAcceptedAndNumberedWithoutGaps() throws Exception {
        awaitApi();
        List<String> terminals = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String id = String.format("rush-%02d", i);
            tokens.add(terminal(id));
            terminals.add(id);
        }
        String[] fund = applicationOf(terminals.get(0), "housingfund");
        String[] medical = applicationOf(terminals.get(0), "medical");
        String fundForm = validForm(fund[0]);
        String medicalForm = validForm(medical[0]);

        List<String> numbers = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            if (round == 2) {
                restart("org.budayang.core.cases");
            } else if (round == 4) {
                // The store shuts Derby down and boots it again: every consumer starts over, cold.
                restart("org.budayang.core.store");
            }
            if (round == 2 || round == 4) {
                await("the API after the restart", 60_000, () -> menuDepartments(terminals.get(0)),
                        d -> d.contains("housingfund") && d.contains("medical"));
            }
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                sessions.add(citizen(terminals.get(i), tokens.get(i), "张三", PEOPLE[i % PEOPLE.length]));
            }
            // One in four goes to another department: two counters, one person row, all at once.
            List<String[]> bodies = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                bodies.add(new String[] { sessions.get(i), i % 4 == 3 ? submitJson(medical[0], medical[1], medicalForm)
                        : submitJson(fund[0], fund[1], fundForm) });
            }
            numbers.addAll(rush("round " + round, bodies));
        }

        // Per department and day, 1, 2, 3 ... without a gap (a case numbered and then rolled back leaves one).
        Map<String, TreeSet<Integer>> byPrefix = new TreeMap<>();
        for (String n : numbers) {
            int dash = n.lastIndexOf('-');
            byPrefix.computeIfAbsent(n.substring(0, dash), p -> new TreeSet<>()).add(Integer.parseInt(n.substring(dash + 1)));
        }
        assertEquals("no number twice: " + numbers, numbers.size(), byPrefix.values().stream().mapToInt(TreeSet::size).sum());
        assertTrue(byPrefix.keySet().toString(), byPrefix.keySet().stream().anyMatch(p -> p.startsWith("HOUSINGFUND-")));
        for (Map.Entry<String, TreeSet<Integer>> e : byPrefix.entrySet()) {
            TreeSet<Integer> got = e.getValue();
            // A day boundary (Asia/Shanghai midnight) during the run starts a new prefix at 1.
            assertEquals(e.getKey() + " numbered without gaps: " + got, got.size(), got.last() - got.first() + 1);
            if (byPrefix.size() == 2) {
                assertEquals(e.getKey() + " starts at 1 on a fresh database", 1, (int) got.first());
            }
        }
    }

    @Test
    public void aSubmissionBlockedPastTheRetriesIsA503WithRetryAfterAndSavesNothing() throws Exception {
        awaitApi();
        String token = terminal("blocked-01");
        String[] medical = applicationOf("blocked-01", "medical");
        String body = submitJson(medical[0], medical[1], validForm(medical[0]));
        javax.sql.DataSource db = context.getService(context.getServiceReferences(javax.sql.DataSource.class,
                "(budayang.store=main)").iterator().next());
        int cases = ((Number) scalar(db, "SELECT COUNT(*) FROM citizen_case")).intValue();
        String last = (String) scalar(db, "SELECT MAX(case_no) FROM citizen_case WHERE department = 'medical'");
        java.sql.Connection holder = db.getConnection();
        try {
            // Derby waits 1 s for a lock instead of 60, so the retries run out within the request.
            setDatabaseProperty(holder, "derby.locks.waitTimeout", "1");
            holder.setAutoCommit(false);
            try (java.sql.Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE case_counter IN EXCLUSIVE MODE");
            }
            Reply r = asCitizen(citizen("blocked-01", token, "张三", ZHANG), "POST", "/api/v1/cases", body);
            r.error(503, "busy");
            assertTrue(r.text(), r.json().path("message").asText().contains("nothing was saved"));
            assertEquals("1", r.header("Retry-After"));
        } finally {
            holder.rollback();
            holder.close();
            try (java.sql.Connection c = db.getConnection()) {
                setDatabaseProperty(c, "derby.locks.waitTimeout", null);
            }
        }
        assertFalse(karafLog().contains("Unexpected failure on POST /api/v1/cases"));
        assertTrue(karafLog().contains("Database busy on POST /api/v1/cases"));
        // Nothing was kept of it: no case, and the next one is numbered as if it never happened.
        assertEquals(cases, ((Number) scalar(db, "SELECT COUNT(*) FROM citizen_case")).intValue());
        Reply next = asCitizen(citizen("blocked-01", token, "张三", ZHANG), "POST", "/api/v1/cases", body);
        assertEquals(next.text(), 201, next.status());
        String number = next.json().path("number").asText();
        int expected = last == null || !last.startsWith(number.substring(0, number.lastIndexOf('-')))
                ? 1 : Integer.parseInt(last.substring(last.lastIndexOf('-') + 1)) + 1;
        assertEquals(number, expected, Integer.parseInt(number.substring(number.lastIndexOf('-') + 1)));
    }

    private static Object scalar(javax.sql.DataSource db, String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    private static void setDatabaseProperty(java.sql.Connection c, String key, String value) throws java.sql.SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY(?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.execute();
        }
    }

    /** Submits all bodies at the same instant; every one must be 201. The case numbers. */
    private List<String> rush(String what, List<String[]> bodies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            for (String[] b : bodies) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return asCitizen(b[0], "POST", "/api/v1/cases", b[1]);
                }));
            }
            start.countDown();
            List<String> numbers = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (Future<Reply> f : replies) {
                Reply r = f.get();
                if (r.status() == 201) {
                    numbers.add(r.json().path("number").asText());
                } else {
                    failures.add(r.status() + " " + (r.raw() == null ? "(no answer)" : r.text()));
                }
            }
            assertEquals(what + ": every submission accepted, none refused: " + failures, List.of(), failures);
            return numbers;
        } finally {
            pool.shutdownNow();
        }
    }

    private void restart(String symbolicName) throws Exception {
        Bundle b = bundle(context, symbolicName);
        b.stop();
        b.start();
    }
}
