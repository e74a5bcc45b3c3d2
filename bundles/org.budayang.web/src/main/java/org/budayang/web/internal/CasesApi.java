package org.budayang.web.internal;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.CaseEvent;
import org.budayang.api.cases.CaseException;
import org.budayang.api.cases.CaseRecord;
import org.budayang.api.cases.CaseService;
import org.budayang.api.cases.CaseStatus;
import org.budayang.api.identity.CitizenSession;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cases over HTTP. A citizen (Bearer session token) submits and reads their own cases; window
 * staff (HTTP Basic with the role {@code staff-<department>}) read and advance their
 * department's cases. A case of a department without a back office is processed in the hall:
 * the hall's window staff ({@code hall-staff}) and hall admins read and advance it too. A case
 * someone may not see answers 404, not 403, so that case numbers cannot be probed.
 */
final class CasesApi {
    static final String STAFF_PREFIX = "staff-";
    /** The hall's window staff: cases processed in the hall (departments without a back office). */
    static final String HALL_STAFF = "hall-staff";
    /** Where staff can move a case; "submitted" is where a case starts, never a target. */
    private static final List<CaseStatus> TARGETS = List.of(CaseStatus.ACCEPTED, CaseStatus.APPROVED,
            CaseStatus.REJECTED, CaseStatus.RESULT_READY, CaseStatus.COMPLETED);

    private final CaseService cases;
    private final CitizenApi citizens;
    private final Authenticator auth;

    CasesApi(CaseService cases, CitizenApi citizens, Authenticator auth) {
        this.cases = cases;
        this.citizens = citizens;
        this.auth = auth;
    }

    void submit(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        CitizenSession session = citizens.current(req);
        Application a = Application.read(req);
        CaseRecord c = cases.submit(session, a.item(), a.situation(), a.formJson());
        ObjectNode o = json(c);
        boolean inHall = cases.processedInHall(c.number());
        o.put("processedInHall", inHall);
        if (inHall) {
            o.put("notice", "This department's system is not connected to the hall: the hall's window staff will process "
                    + "your case here; you do not need to submit it again. 该部门业务系统未接入本大厅，您的办件将由大厅综合窗口工作人员办理，无需重复提交。");
        } else if (!c.forwarded()) {
            o.put("notice", "The department's system cannot be reached right now. Your case is kept and will be "
                    + "forwarded automatically; you do not need to submit it again. 部门系统暂时无法连接，您的办件已保存，将自动转交，无需重复提交。");
        }
        resp.setHeader("Location", "/api/v1/cases/" + c.number());
        Json.write(resp, 201, o);
    }

    void list(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<CaseRecord> found;
        if (isBearer(req)) {
            found = cases.mine(citizens.current(req));
        } else {
            String dept = req.getParameter("department");
            if (dept == null || dept.isBlank()) {
                throw ApiException.invalid("staff list cases of one department: add ?department=<code>");
            }
            Authenticator.Caller caller = auth.authenticate(req);
            if (caller.roles().contains(STAFF_PREFIX + dept)) {
                found = cases.ofDepartment(dept, 200);
            } else if (caller.roles().contains(HALL_STAFF) || caller.roles().contains(ApiServlet.HALL_ADMIN)) {
                // The hall's window staff see the department's cases that are theirs to process.
                found = cases.hallCases(dept, 200);
            } else {
                throw new ApiException(403, "forbidden", "user '" + caller.user() + "' lacks the role " + STAFF_PREFIX + dept
                        + " (or " + HALL_STAFF + " or " + ApiServlet.HALL_ADMIN + " for its cases processed in the hall)");
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        found.forEach(c -> out.add(json(c)));
        Json.write(resp, 200, out);
    }

    void get(HttpServletRequest req, HttpServletResponse resp, String number) throws IOException {
        Json.write(resp, 200, json(visible(req, number)));
    }

    void advance(HttpServletRequest req, HttpServletResponse resp, String number) throws IOException {
        CaseRecord c = cases.find(number).orElseThrow(() -> ApiException.notFound("no case " + number));
        Authenticator.Caller staff = auth.require(req, staffRoles(c));
        ObjectNode body = Json.object(req.getInputStream(), Set.of("to", "note"));
        String to = Json.string(body, "to", "to");
        // Exactly the documented names: "Accepted" or "ACCEPTED " is a mistake, not a synonym.
        CaseStatus target = TARGETS.stream().filter(t -> t.name().toLowerCase(Locale.ROOT).equals(to)).findFirst()
                .orElseThrow(() -> ApiException.invalid("field 'to' must be exactly one of " + String.join(", ",
                        TARGETS.stream().map(t -> t.name().toLowerCase(Locale.ROOT)).toList())));
        String note = body.hasNonNull("note") ? Json.string(body, "note", "note") : null;
        Json.write(resp, 200, json(cases.advance(number, target, "staff:" + staff.user(), note)));
    }

    /** The case if the caller may see it: its applicant, or staff of its department. */
    private CaseRecord visible(HttpServletRequest req, String number) {
        if (isBearer(req)) {
            CitizenSession s = citizens.current(req);
            return cases.find(number)
                    .filter(c -> c.applicant().id().equals(s.person().id()))
                    .orElseThrow(() -> ApiException.notFound("no case " + number + " of yours"));
        }
        CaseRecord c = cases.find(number).orElse(null);
        if (c == null) {
            // Still authenticate first, so that an anonymous caller learns nothing.
            auth.authenticate(req);
            throw ApiException.notFound("no case " + number);
        }
        auth.require(req, staffRoles(c));
        return c;
    }

    /** Who may read and advance the case: its department's staff, and the hall's for a case processed in the hall. */
    private String[] staffRoles(CaseRecord c) {
        return cases.processedInHall(c.number()) ? new String[] { STAFF_PREFIX + c.department(), HALL_STAFF, ApiServlet.HALL_ADMIN }
                : new String[] { STAFF_PREFIX + c.department() };
    }

    private static boolean isBearer(HttpServletRequest req) {
        String h = req.getHeader("Authorization");
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    /** The body of a submission or a draft: {@code {"item", "situation", "form"}}. */
    record Application(String item, String situation, String formJson) {
        static Application read(HttpServletRequest req) throws IOException {
            ObjectNode body = Json.object(req.getInputStream(), Set.of("item", "situation", "form"));
            String item = Json.string(body, "item", "item");
            String situation = body.hasNonNull("situation") ? Json.string(body, "situation", "situation") : null;
            JsonNode form = body.get("form");
            if (form != null && !form.isNull() && !form.isObject()) {
                throw ApiException.invalid("field 'form' must be an object");
            }
            return new Application(item, situation, form == null || form.isNull() ? "{}" : form.toString());
        }
    }

    static ApiException map(CaseException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> ApiException.notFound(e.getMessage());
            case CONFLICT -> new ApiException(409, "conflict", e.getMessage());
            case INVALID -> ApiException.invalid(e.getMessage());
        };
    }

    static ObjectNode json(CaseRecord c) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("number", c.number());
        o.put("item", c.item());
        o.put("department", c.department());
        o.put("situation", c.situation());
        o.put("status", c.status().name().toLowerCase(Locale.ROOT));
        ObjectNode a = o.putObject("applicant");
        a.put("name", c.applicant().name());
        a.put("idNumber", c.applicant().id().masked());
        o.put("terminal", c.terminal());
        try {
            o.set("form", Json.MAPPER.readTree(c.formJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        o.put("forwarded", c.forwarded());
        o.put("backOfficeReference", c.backOfficeReference());
        o.put("submittedAt", c.submittedAt().toString());
        o.put("updatedAt", c.updatedAt().toString());
        ArrayNode h = o.putArray("history");
        for (CaseEvent e : c.history()) {
            ObjectNode en = h.addObject();
            en.put("from", e.from() == null ? null : e.from().name().toLowerCase(Locale.ROOT));
            en.put("to", e.to().name().toLowerCase(Locale.ROOT));
            en.put("at", e.at().toString());
            en.put("actor", e.actor());
            if (e.note() != null) {
                en.put("note", e.note());
            }
        }
        return o;
    }
}
