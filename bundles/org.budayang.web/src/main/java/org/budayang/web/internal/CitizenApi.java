package org.budayang.web.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.hall.HallService;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.SessionService;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Citizen logins at a terminal. Only a registered terminal, proving itself with the token it
 * got at registration ({@code X-Terminal-Token}), may open a session; the citizen's calls then
 * carry {@code Authorization: Bearer <session token>}.
 */
final class CitizenApi {
    static final String TERMINAL_TOKEN = "X-Terminal-Token";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final HallService halls;
    private final SessionService sessions;

    CitizenApi(HallService halls, SessionService sessions) {
        this.halls = halls;
        this.sessions = sessions;
    }

    void login(HttpServletRequest req, HttpServletResponse resp, String terminal) throws IOException {
        requireTerminal(req, terminal);
        ObjectNode body = Json.object(req.getInputStream(), null);
        String method = Json.string(body, "method", "method");
        body.remove("method");
        Map<String, Object> credentials = Json.MAPPER.convertValue(body, MAP);
        SessionService.Opened opened;
        try {
            opened = sessions.open(terminal, method, credentials);
        } catch (LoginRejected e) {
            // A provider that cannot be reached is not the caller's mistake: 503, so a terminal retries.
            int status = switch (e.code()) {
                case "unknown_method", "invalid_request" -> 400;
                case "provider_unavailable", "device_unavailable" -> 503;
                default -> 403;
            };
            throw new ApiException(status, e.code(), e.getMessage());
        }
        ObjectNode o = sessionJson(opened.session());
        o.put("token", opened.token());
        resp.setHeader("Location", "/api/v1/terminals/" + terminal + "/sessions/" + opened.session().id());
        Json.write(resp, 201, o);
    }

    void logout(HttpServletRequest req, HttpServletResponse resp, String terminal, String sessionId) throws IOException {
        String token = bearer(req);
        CitizenSession s = sessions.touch(token)
                .orElseThrow(() -> new ApiException(401, "session_required", "no live citizen session for this token"));
        if (!s.id().equals(sessionId) || !s.terminal().equals(terminal)) {
            throw ApiException.notFound("no session '" + sessionId + "' for this token at terminal '" + terminal + "'");
        }
        sessions.close(token);
        resp.setStatus(204);
    }

    void me(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        CitizenSession s = current(req);
        Json.write(resp, 200, sessionJson(s));
    }

    /** The citizen behind a request; 401 without a live session. */
    CitizenSession current(HttpServletRequest req) {
        Optional<CitizenSession> s = sessions.touch(bearer(req));
        return s.orElseThrow(() -> new ApiException(401, "session_required",
                "log in at a terminal first (the session may have ended by logout or idle timeout)"));
    }

    /** 404 for an unknown terminal, 401 unless the request carries that terminal's token. */
    void requireTerminal(HttpServletRequest req, String terminal) {
        if (halls.terminal(terminal).isEmpty()) {
            throw ApiException.notFound("no terminal '" + terminal + "'");
        }
        String token = req.getHeader(TERMINAL_TOKEN);
        if (token == null || token.isBlank()) {
            throw new ApiException(401, "terminal_unauthorized",
                    "only a registered terminal can open a citizen session: send its token in " + TERMINAL_TOKEN);
        }
        if (!halls.verifyToken(terminal, token.strip())) {
            throw new ApiException(401, "terminal_unauthorized", "the terminal token is not the one issued to '" + terminal + "'");
        }
    }

    private static String bearer(HttpServletRequest req) {
        String h = req.getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "session_required", "send the session token as Authorization: Bearer <token>");
        }
        return h.substring(7).strip();
    }

    static ObjectNode sessionJson(CitizenSession s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("session", s.id());
        o.put("terminal", s.terminal());
        o.put("method", s.method());
        ObjectNode p = o.putObject("person");
        p.put("name", s.person().name());
        // Never the full number in a response: the screen shows the masked form.
        p.put("idNumber", s.person().id().masked());
        o.put("startedAt", s.startedAt().toString());
        o.put("expiresAt", s.expiresAt().toString());
        return o;
    }
}
