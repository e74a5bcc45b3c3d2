package org.budayang.web.internal;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.security.AdminSetup;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GET /platform}: what kind of node this is (the demo hall says so, its pages show a
 * banner); {@code GET|POST /setup}: the production server's first hall admin, created once with
 * the setup token written to the log at first start.
 */
final class SetupApi {
    /** Set in the demo hall's etc/system.properties only. */
    static final String DEMO_PROPERTY = "budayang.demo";
    static final String NOTICE_ZH = "演示大厅：使用公开的演示密钥和密码，切勿用于真实大厅";
    static final String NOTICE_EN = "Demo hall: public demo keys and passwords, never for a real hall";
    private volatile AdminSetup setup;

    void bind(AdminSetup s) {
        setup = s;
    }

    void unbind(AdminSetup s) {
        if (setup == s) {
            setup = null;
        }
    }

    static boolean demo() {
        return Boolean.getBoolean(DEMO_PROPERTY);
    }

    /** The banner of a server-rendered page: empty unless this is the demo hall. */
    static String demoBanner() {
        return demo() ? "<div id=\"demo-banner\" role=\"note\">" + NOTICE_ZH + " · " + NOTICE_EN + "</div>" : "";
    }

    void platform(HttpServletResponse resp) throws IOException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("name", "Budayang");
        o.put("demo", demo());
        if (demo()) {
            ObjectNode n = o.putObject("notice");
            n.put("zh", NOTICE_ZH);
            n.put("en", NOTICE_EN);
        }
        Json.write(resp, 200, o);
    }

    void route(HttpServletRequest req, HttpServletResponse resp, List<String> p) throws IOException {
        if (p.size() != 1) {
            throw ApiException.notFound("no such resource");
        }
        AdminSetup s = setup;
        switch (req.getMethod()) {
            case "GET" -> {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("pending", s != null && s.pending());
                Json.write(resp, 200, o);
            }
            case "POST" -> {
                ObjectNode body = Json.object(req.getInputStream(), Set.of("token", "user", "password"));
                String token = Json.string(body, "token", "token");
                String user = Json.string(body, "user", "user");
                String password = Json.string(body, "password", "password");
                if (s == null) {
                    throw new ApiException(503, "unavailable", "the security module (core.security) is not running");
                }
                try {
                    s.createFirstAdmin(token, user, password.toCharArray());
                } catch (AdminSetup.SetupException e) {
                    int status = switch (e.reason()) {
                        case "bad_token" -> 403;
                        case "done" -> 409;
                        case "unavailable" -> 503;
                        default -> 400;
                    };
                    throw new ApiException(status, e.reason(), e.getMessage());
                }
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("user", user);
                o.putArray("roles").add("hall-admin");
                Json.write(resp, 201, o);
            }
            default -> throw new ApiException(405, "method_not_allowed", req.getMethod() + " is not supported here");
        }
    }
}
