package org.budayang.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.CaseService;
import org.budayang.api.hall.HallService;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.locker.AuditEntry;
import org.budayang.api.locker.Cabinet;
import org.budayang.api.locker.Compartment;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.LockerService;
import org.budayang.api.locker.Overview;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.Size;
import org.budayang.api.locker.Staff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Smart file lockers over HTTP (see bundles/org.budayang.core.locker/README.md).
 *
 * <ul>
 * <li>Reads of cabinets are open (no codes, phones masked).</li>
 * <li>Drop-offs: a citizen (Bearer session at the cabinet's terminal) hands in materials; staff
 * (Basic, {@code staff-<department>}) put a result in.</li>
 * <li>Pickups: by code or ID card only from the cabinet's own terminal ({@code X-Terminal-Token}:
 * the keypad and the reader are there, and a remote caller cannot guess codes or make the
 * keypad wait); staff also with their login.</li>
 * <li>Admin ({@code hall-admin}): overview, audit, open by hand with a reason, out of service.</li>
 * </ul>
 */
final class LockerApi {
    private final Supplier<LockerService> lockers;
    private final HallService halls;
    private final CaseService cases;
    private final CitizenApi citizens;
    private final Authenticator auth;

    LockerApi(Supplier<LockerService> lockers, HallService halls, CaseService cases, CitizenApi citizens, Authenticator auth) {
        this.lockers = lockers;
        this.halls = halls;
        this.cases = cases;
        this.citizens = citizens;
        this.auth = auth;
    }

    private LockerService lockers() {
        LockerService s = lockers.get();
        if (s == null) {
            throw new ApiException(503, "lockers_unavailable", "the locker service is not running (it needs the database, "
                    + "the SMS outbox and cases)");
        }
        return s;
    }

    // ---- routing ------------------------------------------------------------------------------

    /** {@code GET /halls/{hall}/cabinets}. */
    void hallCabinets(HttpServletResponse resp, String hall) throws IOException {
        if (halls.hall(hall).isEmpty()) {
            throw ApiException.notFound("no hall '" + hall + "'");
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        lockers().cabinets(hall).forEach(c -> out.add(json(c)));
        Json.write(resp, 200, out);
    }

    /** Everything under {@code /cabinets/{cabinet}}; {@code p} is the path split at '/'. */
    void route(HttpServletRequest req, HttpServletResponse resp, List<String> p, String m) throws IOException {
        int n = p.size();
        String sub = n > 2 ? p.get(2) : "";
        if (n == 2 && m.equals("GET")) {
            Json.write(resp, 200, json(cabinet(p.get(1))));
        } else if (n == 3 && sub.equals("dropoffs") && m.equals("POST")) {
            dropOff(req, resp, p.get(1));
        } else if (n == 3 && sub.equals("pickups") && m.equals("POST")) {
            pickup(req, resp, p.get(1));
        } else if (n == 3 && sub.equals("overview") && m.equals("GET")) {
            auth.require(req, ApiServlet.HALL_ADMIN);
            Json.write(resp, 200, json(lockers().overview(p.get(1), limit(req, 20))));
        } else if (n == 3 && sub.equals("audit") && m.equals("GET")) {
            auth.require(req, ApiServlet.HALL_ADMIN);
            ArrayNode out = Json.MAPPER.createArrayNode();
            lockers().audit(p.get(1), limit(req, 100)).forEach(e -> out.add(json(e)));
            Json.write(resp, 200, out);
        } else if (n == 5 && sub.equals("compartments") && p.get(4).equals("open") && m.equals("POST")) {
            Authenticator.Caller admin = auth.require(req, ApiServlet.HALL_ADMIN);
            ObjectNode body = Json.object(req.getInputStream(), Set.of("reason"));
            String reason = Json.string(body, "reason", "reason");
            Json.write(resp, 200, json(lockers().openByHand(p.get(1), number(p.get(3)), admin.user(), reason)));
        } else if (n == 5 && sub.equals("compartments") && p.get(4).equals("out-of-service")
                && (m.equals("PUT") || m.equals("DELETE"))) {
            Authenticator.Caller admin = auth.require(req, ApiServlet.HALL_ADMIN);
            String reason = null;
            if (m.equals("PUT")) {
                reason = Json.string(Json.object(req.getInputStream(), Set.of("reason")), "reason", "reason");
            }
            Json.write(resp, 200, json(lockers().setOutOfService(p.get(1), number(p.get(3)), m.equals("PUT"), admin.user(),
                    reason)));
        } else {
            boolean exists = n == 2 || (n == 3 && Set.of("dropoffs", "pickups", "overview", "audit").contains(sub))
                    || (n == 5 && sub.equals("compartments") && Set.of("open", "out-of-service").contains(p.get(4)));
            if (exists) {
                throw new ApiException(405, "method_not_allowed", m + " is not supported here");
            }
            throw ApiException.notFound("no such resource");
        }
    }

    /** {@code GET /parcels/{id}}: for its citizen, staff of its department, hall admins or the cabinet's terminal. */
    void parcel(HttpServletRequest req, HttpServletResponse resp, String id) throws IOException {
        long parcelId;
        try {
            parcelId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no parcel '" + id + "'");
        }
        Parcel parcel = lockers().parcel(parcelId).orElse(null);
        if (parcel == null) {
            if (!isBearer(req) && req.getHeader(CitizenApi.TERMINAL_TOKEN) == null) {
                auth.authenticate(req);
            }
            throw ApiException.notFound("no parcel " + id);
        }
        if (req.getHeader(CitizenApi.TERMINAL_TOKEN) != null) {
            requireCabinetTerminal(req, cabinet(parcel.cabinet()));
        } else if (isBearer(req)) {
            CitizenSession s = citizens.current(req);
            boolean mine = cases.find(parcel.caseNumber()).map(k -> k.applicant().id().equals(s.person().id())).orElse(false);
            if (!mine) {
                throw ApiException.notFound("no parcel " + id + " of yours");
            }
        } else {
            auth.require(req, ApiServlet.HALL_ADMIN, CasesApi.STAFF_PREFIX + parcel.department());
        }
        Json.write(resp, 200, json(parcel));
    }

    // ---- drop-offs and pickups ----------------------------------------------------------------

    private void dropOff(HttpServletRequest req, HttpServletResponse resp, String cabinet) throws IOException {
        LockerService s = lockers();
        ObjectNode body;
        Parcel parcel;
        if (isBearer(req)) {
            CitizenSession session = citizens.current(req);
            body = Json.object(req.getInputStream(), Set.of("case", "size", "phone"));
            parcel = s.depositMaterials(cabinet, session, Json.string(body, "case", "case"), size(body), phone(body));
        } else {
            Staff staff = staff(auth.authenticate(req));
            body = Json.object(req.getInputStream(), Set.of("case", "size", "phone"));
            parcel = s.depositResult(cabinet, staff, Json.string(body, "case", "case"), size(body), phone(body));
        }
        resp.setHeader("Location", "/api/v1/parcels/" + parcel.id());
        ObjectNode o = json(parcel);
        o.put("notice", "柜门已打开，请放入材料后关好柜门。 The door is open: put the paper in and close the door.");
        Json.write(resp, 201, o);
    }

    private void pickup(HttpServletRequest req, HttpServletResponse resp, String cabinet) throws IOException {
        LockerService s = lockers();
        String header = req.getHeader("Authorization");
        Parcel parcel;
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            Staff staff = staff(auth.authenticate(req));
            ObjectNode body = Json.object(req.getInputStream(), Set.of("case"));
            parcel = s.pickupByStaff(cabinet, staff, Json.string(body, "case", "case"));
        } else {
            requireCabinetTerminal(req, cabinet(cabinet));
            ObjectNode body = Json.object(req.getInputStream(), Set.of("code", "method", "wait"));
            if (body.has("code")) {
                if (body.has("method")) {
                    throw ApiException.invalid("give either 'code' or 'method', not both");
                }
                // Exactly as typed: the keypad sends digits only, anything else is refused, not mended.
                parcel = s.pickupWithCode(cabinet, Json.string(body, "code", "code"));
            } else if (body.has("method")) {
                String method = Json.string(body, "method", "method");
                if (!method.equals("idcard")) {
                    throw ApiException.invalid("field 'method': the only method is idcard");
                }
                Duration wait = null;
                if (body.has("wait")) {
                    JsonNode w = body.get("wait");
                    if (!w.isIntegralNumber() || !w.canConvertToInt() || w.intValue() < 1 || w.intValue() > 60) {
                        throw ApiException.invalid("field 'wait': seconds to wait for the card, 1..60");
                    }
                    wait = Duration.ofSeconds(body.get("wait").intValue());
                }
                parcel = s.pickupWithIdCard(cabinet, wait);
            } else {
                throw ApiException.invalid("field 'code' is required (or 'method': 'idcard' to swipe an ID card)");
            }
        }
        ObjectNode o = json(parcel);
        o.put("notice", "柜门已打开，请取走物品后关好柜门。 The door is open: take the paper and close the door.");
        Json.write(resp, 200, o);
    }

    /** 401 unless the request carries the token of the cabinet's own terminal. */
    private void requireCabinetTerminal(HttpServletRequest req, Cabinet c) {
        String token = req.getHeader(CitizenApi.TERMINAL_TOKEN);
        if (token == null || token.isBlank()) {
            throw new ApiException(401, "terminal_unauthorized", "codes and ID cards are taken at the cabinet's terminal "
                    + c.terminal() + ": send its token in " + CitizenApi.TERMINAL_TOKEN + " (staff log in with Basic "
                    + "authentication instead)");
        }
        if (!halls.verifyToken(c.terminal(), token.strip())) {
            throw new ApiException(401, "terminal_unauthorized", "the terminal token is not the one of cabinet " + c.id()
                    + "'s terminal " + c.terminal());
        }
    }

    private Cabinet cabinet(String id) {
        return lockers().cabinet(id).orElseThrow(() -> ApiException.notFound("no cabinet '" + id + "'"));
    }

    private static Staff staff(Authenticator.Caller caller) {
        Set<String> depts = new TreeSet<>();
        for (String role : caller.roles()) {
            if (role.startsWith(CasesApi.STAFF_PREFIX)) {
                depts.add(role.substring(CasesApi.STAFF_PREFIX.length()));
            }
        }
        if (depts.isEmpty()) {
            throw new ApiException(403, "forbidden", "user '" + caller.user() + "' is not window staff of any department");
        }
        return new Staff(caller.user(), depts);
    }

    /** Exactly one of the sizes as documented ({@code S}, {@code M}, {@code L}): "s" or " S" is refused, not mended. */
    private static Size size(ObjectNode body) {
        String text = Json.string(body, "size", "size");
        for (Size s : Size.values()) {
            if (s.name().equals(text)) {
                return s;
            }
        }
        throw ApiException.invalid("field 'size': one of S, M, L (upper case), not '"
                + (text.length() > 10 ? text.substring(0, 10) + "…" : text) + "'");
    }

    /** Absent or null: none given. The service checks the format exactly (no trimming). */
    private static String phone(ObjectNode body) {
        return body.hasNonNull("phone") ? Json.string(body, "phone", "phone") : null;
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no compartment '" + text + "'");
        }
    }

    private static int limit(HttpServletRequest req, int dflt) {
        String l = req.getParameter("limit");
        if (l == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(l);
            if (i >= 1 && i <= 1000) {
                return i;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiException.invalid("parameter 'limit': a number 1..1000");
    }

    private static boolean isBearer(HttpServletRequest req) {
        String h = req.getHeader("Authorization");
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7);
    }

    // ---- errors -------------------------------------------------------------------------------

    /**
     * Status per refusal; a code entered too early (429), or a wrong one that makes the next code
     * wait, carries {@code Retry-After} (at most 60 s).
     */
    static void error(HttpServletResponse resp, LockerException e) throws IOException {
        int status = switch (e.kind()) {
            case NOT_FOUND -> 404;
            case INVALID -> 400;
            case FORBIDDEN -> 403;
            case GONE -> 410;
            case LOCKED_OUT -> 429;
            case CONFLICT -> 409;
            case UNAVAILABLE -> 503;
        };
        if (resp.isCommitted()) {
            return;
        }
        Json.reset(resp);
        if (e.retryAfterSeconds() > 0) {
            resp.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("error", e.code());
        o.put("message", e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            o.put("retryAfter", e.retryAfterSeconds());
        }
        Json.write(resp, status, o.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---- JSON ---------------------------------------------------------------------------------

    static ObjectNode json(Cabinet c) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", c.id());
        o.put("hall", c.hall());
        o.put("name", c.name());
        o.put("terminal", c.terminal());
        o.put("lockDevice", c.lockDevice());
        o.put("online", c.online());
        ArrayNode list = o.putArray("compartments");
        c.compartments().forEach(x -> list.add(json(x)));
        return o;
    }

    static ObjectNode json(Compartment x) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("number", x.number());
        o.put("lock", x.board() + "/" + x.lock());
        o.put("size", x.size().name());
        o.put("state", lower(x.state()));
        o.put("door", x.door() == null ? "closed" : x.doorOpenedAt() == null ? "opening" : "open");
        if (x.door() != null) {
            o.put("doorAction", lower(x.door()));
        }
        if (x.note() != null) {
            o.put("note", x.note());
        }
        if (x.parcel() != null) {
            o.set("parcel", json(x.parcel()));
        }
        return o;
    }

    static ObjectNode json(Parcel p) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", p.id());
        o.put("case", p.caseNumber());
        o.put("department", p.department());
        o.put("direction", lower(p.direction()));
        o.put("state", lower(p.state()));
        o.put("cabinet", p.cabinet());
        o.put("compartment", p.compartment());
        o.put("phone", p.maskedPhone());
        put(o, "createdAt", p.createdAt());
        put(o, "storedAt", p.storedAt());
        put(o, "codeExpiresAt", p.codeExpiresAt());
        put(o, "collectedAt", p.collectedAt());
        o.put("collectedBy", p.collectedBy());
        return o;
    }

    static ObjectNode json(Overview ov) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.set("cabinet", json(ov.cabinet()));
        ObjectNode occ = o.putObject("occupancy");
        for (Size s : Size.values()) {
            Overview.Occupancy k = ov.occupancy().get(s);
            if (k != null) {
                ObjectNode n = occ.putObject(s.name());
                n.put("total", k.total());
                n.put("free", k.free());
                n.put("reserved", k.reserved());
                n.put("occupied", k.occupied());
                n.put("outOfService", k.outOfService());
            }
        }
        o.put("doorsOpen", ov.doorsOpen());
        put(o, "codeEntryLockedUntil", ov.codeEntryLockedUntil());
        ObjectNode codes = o.putObject("codeEntry");
        codes.put("digits", ov.codeEntry().digits());
        codes.put("configuredDigits", ov.codeEntry().configuredDigits());
        codes.put("minimumDigits", ov.codeEntry().minimumDigits());
        codes.put("yearsToGuess", Math.round(ov.codeEntry().yearsToGuess() * 100) / 100.0);
        ArrayNode r = o.putArray("recent");
        ov.recent().forEach(e -> r.add(json(e)));
        return o;
    }

    static ObjectNode json(AuditEntry e) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", e.id());
        o.put("at", e.at().toString());
        o.put("cabinet", e.cabinet());
        if (e.compartment() != null) {
            o.put("compartment", e.compartment());
        }
        o.put("terminal", e.terminal());
        o.put("actor", e.actor());
        o.put("event", lower(e.event()));
        if (e.parcel() != null) {
            o.put("parcel", e.parcel());
        }
        o.put("detail", e.detail());
        return o;
    }

    private static void put(ObjectNode o, String key, Instant at) {
        o.put(key, at == null ? null : at.toString());
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
