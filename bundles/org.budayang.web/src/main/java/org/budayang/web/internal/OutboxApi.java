package org.budayang.web.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.notify.Outbox;
import org.budayang.api.notify.OutboxEntry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GET /admin/outbox?limit=N}: the newest text messages for a hall admin, numbers masked.
 * The text is shown (an admin may need to read a pickup code to a caller; the demo shows it
 * here instead of on a phone). The outbox is optional: without core.notify the route says so.
 */
final class OutboxApi {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final Authenticator auth;
    private volatile Outbox outbox;

    OutboxApi(Authenticator auth) {
        this.auth = auth;
    }

    void bind(Outbox o) {
        outbox = o;
    }

    void unbind(Outbox o) {
        if (outbox == o) {
            outbox = null;
        }
    }

    void route(HttpServletRequest req, HttpServletResponse resp, List<String> p) throws IOException {
        if (p.size() != 2 || !p.get(1).equals("outbox")) {
            throw ApiException.notFound("no such resource");
        }
        if (!req.getMethod().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", req.getMethod() + " is not supported here");
        }
        auth.require(req, ApiServlet.HALL_ADMIN);
        int limit = limit(req.getParameter("limit"));
        Outbox o = outbox;
        if (o == null) {
            throw new ApiException(503, "unavailable", "the notification module (core.notify) is not running");
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (OutboxEntry e : o.recent(limit)) {
            ObjectNode n = out.addObject();
            n.put("id", e.id());
            n.put("phone", e.sms().maskedPhone());
            n.put("topic", e.sms().topic());
            n.put("state", e.state().toLowerCase(Locale.ROOT));
            n.put("attempts", e.attempts());
            n.put("created", time(e.created()));
            n.put("nextAttempt", time(e.nextAttempt()));
            n.put("sent", time(e.sent()));
            n.put("gatewayId", e.gatewayId());
            n.put("lastError", e.lastError());
            n.put("text", e.sms().text());
        }
        Json.write(resp, 200, out);
    }

    static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("parameter 'limit' must be a whole number from 1 to " + MAX_LIMIT);
    }

    private static String time(Instant i) {
        return i == null ? null : i.toString();
    }
}
