package org.budayang.web.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.hall.HallService;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.RedirectLogin;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Logins completed in the citizen's browser (the unified identity account, OpenID Connect):
 * the terminal starts one ({@code POST /terminals/{t}/oidc/start}, with its token), the
 * provider sends the browser to {@code GET /oidc/callback}, and the terminal then opens the
 * session with {@code {"method": "oidc", "state": ...}} as with any other login.
 */
final class RedirectLoginApi {
    static final String OIDC = "oidc";
    private static final int MAX_PARAMETER = 4096;

    private final HallService halls;
    private final CitizenApi citizens;
    /** By name; login methods come and go with their bundles, the API stays up. */
    private final Map<String, RedirectLogin> logins = new ConcurrentHashMap<>();

    RedirectLoginApi(HallService halls, CitizenApi citizens) {
        this.halls = halls;
        this.citizens = citizens;
    }

    void add(RedirectLogin login) {
        logins.put(login.name(), login);
    }

    void remove(RedirectLogin login) {
        logins.remove(login.name(), login);
    }

    void start(HttpServletRequest req, HttpServletResponse resp, String terminalId, String method) throws IOException {
        citizens.requireTerminal(req, terminalId);
        Terminal terminal = halls.terminal(terminalId)
                .orElseThrow(() -> ApiException.notFound("no terminal '" + terminalId + "'"));
        RedirectLogin login = login(method);
        RedirectLogin.Started s;
        try {
            s = login.start(terminal);
        } catch (LoginRejected e) {
            throw new ApiException(status(e.code()), e.code(), e.getMessage());
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("method", login.name());
        o.put("authorizationUrl", s.authorizationUrl());
        o.put("state", s.state());
        o.put("expiresAt", s.expiresAt().toString());
        resp.setHeader("Cache-Control", "no-store");
        Json.write(resp, 200, o);
    }

    /** The browser lands here: it gets a page for a person, not JSON. */
    void callback(HttpServletRequest req, HttpServletResponse resp, String method) throws IOException {
        RedirectLogin login = logins.get(method);
        if (login == null) {
            page(resp, 404, "登录不可用", "This login is not available.");
            return;
        }
        Map<String, String> params = new HashMap<>();
        for (String name : new String[] { "code", "state", "error" }) {
            String v = req.getParameter(name);
            if (v != null && v.length() <= MAX_PARAMETER) {
                params.put(name, v);
            }
        }
        try {
            login.complete(params);
        } catch (LoginRejected e) {
            page(resp, status(e.code()), "登录失败", "Login failed: " + e.getMessage() + " (" + e.code() + ")");
            return;
        }
        page(resp, 200, "登录成功", "Logged in. Please return to the terminal. 请回到自助终端继续办理。");
    }

    private RedirectLogin login(String method) {
        RedirectLogin login = logins.get(method);
        if (login == null) {
            throw ApiException.notFound("no browser login '" + method + "' is installed");
        }
        return login;
    }

    static int status(String code) {
        return switch (code) {
            case "provider_unavailable" -> 503;
            case "busy" -> 429;
            case "unknown_state", "state_used" -> 400;
            default -> 403;
        };
    }

    private static void page(HttpServletResponse resp, int status, String zh, String en) throws IOException {
        StringBuilder html = Pages.start(zh, "").append("<div class=\"result\"><h1>").append(Pages.esc(zh))
                .append("</h1><p>").append(Pages.esc(en)).append("</p></div></body></html>");
        // The address carried a one-time code: keep it out of caches and other sites' logs.
        resp.setHeader("Cache-Control", "no-store");
        Pages.write(resp, status, html);
    }
}
