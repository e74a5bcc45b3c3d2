package org.budayang.web.internal;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.security.UserAdmin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Logins and platform roles for a hall admin, without editing {@code users.properties} by hand:
 * {@code GET /admin/users}, {@code POST /admin/users} {@code {"user", "password", "roles"}},
 * {@code PUT} and {@code DELETE /admin/users/{user}/roles/{role}}. The user store is core.security's
 * ({@link UserAdmin}); without it the routes answer 503.
 */
final class UsersApi {
    private final Authenticator auth;
    private volatile UserAdmin admin;

    UsersApi(Authenticator auth) {
        this.auth = auth;
    }

    void bind(UserAdmin a) {
        admin = a;
    }

    void unbind(UserAdmin a) {
        if (admin == a) {
            admin = null;
        }
    }

    /** {@code p} is the path from "admin" on: admin, users[, user, roles, role]. */
    void route(HttpServletRequest req, HttpServletResponse resp, List<String> p) throws IOException {
        String m = req.getMethod();
        boolean list = p.size() == 2;
        boolean role = p.size() == 5 && p.get(3).equals("roles");
        if (!list && !role) {
            throw ApiException.notFound("no such resource");
        }
        if (list ? !m.equals("GET") && !m.equals("POST") : !m.equals("PUT") && !m.equals("DELETE")) {
            throw new ApiException(405, "method_not_allowed", m + " is not supported here");
        }
        Authenticator.Caller caller = auth.require(req, ApiServlet.HALL_ADMIN);
        UserAdmin a = admin;
        if (a == null) {
            throw new ApiException(503, "unavailable", "the security module (core.security) is not running");
        }
        try {
            if (list && m.equals("GET")) {
                ArrayNode out = Json.MAPPER.createArrayNode();
                a.users().forEach(u -> out.add(json(u)));
                Json.write(resp, 200, out);
            } else if (list) {
                ObjectNode body = Json.object(req.getInputStream(), Set.of("user", "password", "roles"));
                String user = Json.string(body, "user", "user");
                String password = Json.string(body, "password", "password");
                Set<String> roles = body.has("roles") ? new LinkedHashSet<>(Json.strings(body, "roles")) : Set.of();
                UserAdmin.User u = a.create(user, password.toCharArray(), roles, caller.user());
                resp.setHeader("Location", "/api/v1/admin/users/" + u.name());
                Json.write(resp, 201, json(u));
            } else if (m.equals("PUT")) {
                Json.write(resp, 200, json(a.grant(p.get(2), p.get(4), caller.user())));
            } else {
                Json.write(resp, 200, json(a.revoke(p.get(2), p.get(4), caller.user())));
            }
        } catch (UserAdmin.UserException e) {
            int status = switch (e.reason()) {
                case "not_found" -> 404;
                case "exists", "last_admin", "via_group" -> 409;
                case "unavailable" -> 503;
                default -> 400;
            };
            throw new ApiException(status, e.reason(), e.getMessage());
        }
    }

    private static ObjectNode json(UserAdmin.User u) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("user", u.name());
        ArrayNode roles = o.putArray("roles");
        u.roles().stream().sorted().forEach(roles::add);
        return o;
    }
}
