package org.budayang.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A new department without a back office: its citizens are told the truth (the hall's window
 * staff process the case), nothing is retried, and window staff and hall admins process it; the
 * roles are granted over the API, without editing users.properties.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HallStaffIT extends ItSupport {
    static final String ITEM = "000199001001";

    @Configuration
    public Option[] config() {
        return options(distribution(14));
    }

    @Override
    int offset() {
        return 14;
    }

    Reply as(String user, String password, String method, String path, String json) {
        return send(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), user, password);
    }

    Reply move(String user, String password, String number, String to) {
        return as(user, password, "POST", "/api/v1/cases/" + number + "/transitions", "{\"to\": \"" + to + "\"}");
    }

    @Test
    public void aDepartmentWithoutABackOfficeHasItsCasesProcessedByTheHallsWindowStaff() throws Exception {
        awaitApi();
        // A department module built here, with an application item and no back office of any kind.
        String descriptor = descriptor("hrss", "人社", "Human resources", ITEM).replace("\"kind\": \"query\"",
                "\"kind\": \"application\"");
        Reply up = send("POST", "/api/v1/modules", departmentJar("org.example.dept.hrss", "1.0.0", "hrss", descriptor), "admin", "admin");
        assertEquals(up.text(), 200, up.status());
        await("hrss on the menu", 20_000, () -> menuItems("demo-01"), items -> items.contains(ITEM));

        String token = citizen("demo-01", "张三", ZHANG);
        Reply r = asCitizen(token, "POST", "/api/v1/cases", submitJson(ITEM, null, "{}"));
        assertEquals(r.text(), 201, r.status());
        JsonNode c = r.json();
        String number = c.path("number").asText();
        assertTrue(number, number.startsWith("HRSS-"));
        assertFalse(c.path("forwarded").asBoolean());
        assertTrue(r.text(), c.path("processedInHall").asBoolean());
        String notice = c.path("notice").asText();
        assertTrue(notice, notice.contains("the hall's window staff will process your case") && notice.contains("大厅综合窗口"));
        assertFalse("no promise of a forwarding that never comes: " + notice,
                notice.contains("forwarded") || notice.contains("cannot be reached") || notice.contains("转交"));
        // A tax case still goes to tax's back office, and says nothing of the hall.
        String[] tax = applicationOf("demo-02", "tax");
        Reply taxCase = asCitizen(citizen("demo-02", "张三", ZHANG), "POST", "/api/v1/cases",
                submitJson(tax[0], tax[1], validForm(tax[0])));
        assertEquals(taxCase.text(), 201, taxCase.status());
        assertTrue(taxCase.json().path("forwarded").asBoolean());
        assertFalse(taxCase.json().path("processedInHall").asBoolean());
        assertFalse(taxCase.text(), taxCase.json().has("notice"));
        String taxNumber = taxCase.json().path("number").asText();

        // The department's own staff role does not exist yet; the hall admin processes it.
        as("staff", "staff", "GET", "/api/v1/cases/" + number, null).error(403, "forbidden");
        Reply accepted = move("admin", "admin", number, "accepted");
        assertEquals(accepted.text(), 200, accepted.status());

        // A window clerk made over the API, without editing users.properties.
        Reply made = admin("POST", "/api/v1/admin/users",
                "{\"user\": \"window1\", \"password\": \"window-one-2026\", \"roles\": [\"hall-staff\"]}");
        assertEquals(made.text(), 201, made.status());
        assertEquals("[\"hall-staff\"]", made.json().path("roles").toString());
        JsonNode listed = as("window1", "window-one-2026", "GET", "/api/v1/cases?department=hrss", null).json();
        assertEquals(listed.toString(), 1, listed.size());
        assertEquals(number, listed.get(0).path("number").asText());
        Reply approved = move("window1", "window-one-2026", number, "approved");
        assertEquals(approved.text(), 200, approved.status());
        assertEquals("staff:window1", approved.json().path("history").get(2).path("actor").asText());
        // The hall's window staff process only cases processed in the hall: not the tax department's.
        as("window1", "window-one-2026", "GET", "/api/v1/cases/" + taxNumber, null).error(403, "forbidden");
        assertEquals(0, as("window1", "window-one-2026", "GET", "/api/v1/cases?department=tax", null).json().size());

        // A role granted through the API counts from the next request, and so does its revocation.
        Reply clerk = admin("POST", "/api/v1/admin/users", "{\"user\": \"clerk2\", \"password\": \"clerk-two-2026\"}");
        assertEquals(clerk.text(), 201, clerk.status());
        move("clerk2", "clerk-two-2026", number, "result_ready").error(403, "forbidden");
        Reply granted = admin("PUT", "/api/v1/admin/users/clerk2/roles/hall-staff", null);
        assertEquals(granted.text(), 200, granted.status());
        Reply ready = move("clerk2", "clerk-two-2026", number, "result_ready");
        assertEquals(ready.text(), 200, ready.status());
        assertEquals(200, admin("DELETE", "/api/v1/admin/users/clerk2/roles/hall-staff", null).status());
        move("clerk2", "clerk-two-2026", number, "completed").error(403, "forbidden");
        // The role a new department's own staff need, granted the same way.
        assertEquals(200, admin("PUT", "/api/v1/admin/users/clerk2/roles/staff-hrss", null).status());
        Reply done = move("clerk2", "clerk-two-2026", number, "completed");
        assertEquals(done.text(), 200, done.status());
        assertEquals("completed", asCitizen(token, "GET", "/api/v1/cases/" + number, null).json().path("status").asText());

        // Nothing was retried for the hall's case, even after several forwarding passes (every 2 s).
        Thread.sleep(5_000);
        String log = karafLog();
        assertTrue(log.contains("Case " + number + " is processed in the hall by the window staff"));
        assertEquals(log, 0, count(log, "Case " + number + " kept, not yet forwarded"));
        assertTrue(log.contains("Role 'hall-staff' granted to user 'clerk2' by 'admin'"));
        assertTrue(log.contains("User 'window1' created by 'admin' with the roles [hall-staff]"));
    }

    @Test
    public void userAdministrationIsForHallAdminsAndRefusesBadInputChangingNothing() {
        awaitApi();
        String users = admin("GET", "/api/v1/admin/users", null).text();
        assertTrue(users, users.contains("\"user\":\"staff\""));
        assertFalse("no passwords in the list", users.contains("password"));
        as("staff", "staff", "GET", "/api/v1/admin/users", null).error(403, "forbidden");
        as("staff", "staff", "POST", "/api/v1/admin/users", "{\"user\": \"sneaky\", \"password\": \"sneaky-pass-2026\"}")
                .error(403, "forbidden");
        as("staff", "staff", "PUT", "/api/v1/admin/users/staff/roles/hall-admin", null).error(403, "forbidden");
        send("GET", "/api/v1/admin/users", null, null, null).error(401, "unauthorized");

        admin("POST", "/api/v1/admin/users", "{\"user\": \"x\", \"password\": \"long-enough-2026\"}").error(400, "invalid_user");
        admin("POST", "/api/v1/admin/users", "{\"user\": \"shorty\", \"password\": \"short\"}").error(400, "weak_password");
        admin("POST", "/api/v1/admin/users", "{\"user\": \"comma\", \"password\": \"long,enough,2026\"}").error(400, "weak_password");
        admin("POST", "/api/v1/admin/users", "{\"user\": \"karafadmin\", \"password\": \"long-enough-2026\", \"roles\": [\"admin\"]}")
                .error(400, "invalid_role");
        admin("POST", "/api/v1/admin/users", "{\"user\": \"unknown\", \"password\": \"long-enough-2026\", \"role\": \"hall-staff\"}")
                .error(400, "invalid_field");
        // An existing user keeps their password: creating it again is refused, not a password reset.
        admin("POST", "/api/v1/admin/users", "{\"user\": \"staff\", \"password\": \"taken-over-2026\"}").error(409, "exists");
        assertEquals(200, as("staff", "staff", "GET", "/api/v1/cases?department=tax", null).status());
        admin("PUT", "/api/v1/admin/users/staff/roles/ssh", null).error(400, "invalid_role");
        admin("PUT", "/api/v1/admin/users/staff/roles/staff-" + "x".repeat(40), null).error(400, "invalid_role");
        admin("PUT", "/api/v1/admin/users/nobody/roles/hall-staff", null).error(404, "not_found");
        admin("DELETE", "/api/v1/admin/users/staff/roles/hall-staff", null).error(404, "not_found");
        admin("DELETE", "/api/v1/admin/users/admin/roles/hall-admin", null).error(409, "last_admin");
        admin("GET", "/api/v1/admin/users/staff/roles/hall-staff", null).error(405, "method_not_allowed");
        assertEquals("nothing changed", users, admin("GET", "/api/v1/admin/users", null).text());
    }
}
