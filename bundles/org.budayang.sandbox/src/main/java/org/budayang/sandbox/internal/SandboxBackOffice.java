package org.budayang.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A sandbox of the departments' back offices: takes cases at {@code POST /sandbox/<dept>/cases}
 * (HTTP Basic, idempotent on the case number) and shows what it received at
 * {@code GET /sandbox/<dept>/cases/<caseNumber>}, and answers what the department knows about a
 * person at {@code GET /sandbox/<dept>/people/<idNumber>/records?item=<code>} (made-up,
 * deterministic data: {@link SandboxRecords}). It can be made slow or unavailable through
 * its configuration, which is how outages are rehearsed.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("budayang-sandbox")
@HttpWhiteboardServletPattern("/*")
@HttpWhiteboardContextSelect("(" + HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME + "=" + SandboxContext.NAME + ")")
public final class SandboxBackOffice extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the platform sends is a case: well under this. */
    private static final int MAX_BODY = 1024 * 1024;
    private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

    private final transient SandboxSettings settings;
    private final transient Map<String, ObjectNode> received = new ConcurrentHashMap<>();
    private final transient AtomicLong sequence = new AtomicLong();

    /**
     * The settings live in their own component: were this servlet configured itself, every
     * change would alter its service properties and make the whiteboard re-register it, and a
     * request arriving meanwhile could deadlock with SCR and leave the servlet broken.
     */
    @Activate
    public SandboxBackOffice(@Reference SandboxSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        SandboxSettings.Config c = settings.config();
        if (c.delay_ms() > 0) {
            try {
                Thread.sleep(c.delay_ms());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!c.available()) {
            send(resp, 503, "{\"error\":\"unavailable\",\"message\":\"the back office is down for maintenance\"}");
            return;
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString((c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(req.getHeader("Authorization"))) {
            send(resp, 401, "{\"error\":\"unauthorized\",\"message\":\"wrong back-office credentials\"}");
            return;
        }
        String[] p = (req.getPathInfo() == null ? "" : req.getPathInfo()).replaceAll("^/+", "").split("/");
        if (p.length == 2 && p[1].equals("cases") && req.getMethod().equals("POST")) {
            // Bounded and refused like the platform's own API: broken JSON is the caller's 400, never a 500.
            byte[] bytes = req.getInputStream().readNBytes(MAX_BODY + 1);
            JsonNode body;
            try {
                body = bytes.length > MAX_BODY ? null : JSON.readTree(bytes);
            } catch (JsonProcessingException e) {
                send(resp, 400, "{\"error\":\"malformed_json\",\"message\":\"the body is not valid JSON\"}");
                return;
            }
            if (body == null || !body.isObject()) {
                send(resp, 400, "{\"error\":\"malformed_json\",\"message\":\"the body must be a JSON object of at most "
                        + MAX_BODY + " bytes\"}");
                return;
            }
            String number = body.path("caseNumber").asText("");
            if (number.isEmpty()) {
                send(resp, 400, "{\"error\":\"invalid\",\"message\":\"caseNumber missing\"}");
                return;
            }
            ObjectNode stored = received.computeIfAbsent(p[0] + "/" + number, k -> {
                ObjectNode n = ((ObjectNode) body).deepCopy();
                n.put("reference", p[0].toUpperCase() + "-BO-" + String.format("%07d", sequence.incrementAndGet()));
                n.put("deliveries", 0);
                return n;
            });
            synchronized (stored) {
                stored.put("deliveries", stored.path("deliveries").asInt() + 1);
            }
            send(resp, 201, "{\"reference\":\"" + stored.path("reference").asText() + "\"}");
        } else if (p.length == 3 && p[1].equals("cases") && req.getMethod().equals("GET")) {
            ObjectNode stored = received.get(p[0] + "/" + p[2]);
            if (stored == null) {
                send(resp, 404, "{\"error\":\"not_found\",\"message\":\"no such case here\"}");
            } else {
                ObjectNode shown = stored.deepCopy();
                // Even the sandbox does not show a whole ID number back.
                JsonNode id = shown.path("applicant").path("idNumber");
                if (id.isTextual() && id.textValue().length() == 18) {
                    ((ObjectNode) shown.path("applicant")).put("idNumber",
                            id.textValue().substring(0, 6) + "********" + id.textValue().substring(14));
                }
                send(resp, 200, shown.toString());
            }
        } else if (p.length == 4 && p[1].equals("people") && p[3].equals("records") && req.getMethod().equals("GET")) {
            String item = req.getParameter("item") == null ? "" : req.getParameter("item");
            if (!p[2].matches("[0-9]{17}[0-9X]")) {
                send(resp, 400, "{\"error\":\"invalid\",\"message\":\"not a resident ID number\"}");
                return;
            }
            Optional<ObjectNode> records = SandboxRecords.records(p[0], p[2], item, LocalDate.now(CHINA));
            if (records.isEmpty()) {
                send(resp, 404, "{\"error\":\"no_records\",\"message\":\"this department holds no records of this person\"}");
            } else {
                send(resp, 200, records.get().toString());
            }
        } else {
            send(resp, 404, "{\"error\":\"not_found\",\"message\":\"no such sandbox resource\"}");
        }
    }

    private static void send(HttpServletResponse resp, int status, String json) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json;charset=utf-8");
        resp.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }
}
