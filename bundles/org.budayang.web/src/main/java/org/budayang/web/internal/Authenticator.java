package org.budayang.web.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import javax.servlet.http.HttpServletRequest;

import org.apache.karaf.jaas.boot.principal.ClientPrincipal;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.budayang.api.security.LoginLockedException;

/**
 * HTTP Basic against a Karaf JAAS realm, on every request: nothing is remembered, so a changed
 * password or role counts from the next request. The realm throttles wrong passwords (the
 * platform's login throttle, core.security); a locked login is {@code 429} with
 * {@code Retry-After}. The client address goes into the subject as Karaf's SSH and JMX logins
 * put theirs, so one throttle counts all three.
 */
final class Authenticator {
    record Caller(String user, Set<String> roles) {
    }

    private final String realm;

    Authenticator(String realm) {
        this.realm = realm;
    }

    /** The caller if it holds one of the roles; 401 without valid credentials, 403 without the role. */
    Caller require(HttpServletRequest req, String... anyOf) {
        Caller caller = authenticate(req);
        for (String role : anyOf) {
            if (caller.roles().contains(role)) {
                return caller;
            }
        }
        throw new ApiException(403, "forbidden", "user '" + caller.user() + "' lacks the role "
                + String.join(" or ", anyOf));
    }

    /** The caller with valid credentials, whatever their roles; 401 otherwise. */
    Caller authenticate(HttpServletRequest req) {
        String header = req.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiException(401, "unauthorized", "log in with HTTP Basic authentication");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(401, "unauthorized", "the Authorization header is not valid Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new ApiException(401, "unauthorized", "the Authorization header is not valid Basic credentials");
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        return login(user, password, req.getRemoteAddr());
    }

    private Caller login(String user, String password, String address) {
        Subject subject = new Subject();
        subject.getPrincipals().add(new ClientPrincipal("http", address));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // JAAS loads Karaf's proxy login module through the context class loader.
        thread.setContextClassLoader(Authenticator.class.getClassLoader());
        try {
            LoginContext lc = new LoginContext(realm, subject, callbacks -> {
                for (var cb : callbacks) {
                    if (cb instanceof NameCallback n) {
                        n.setName(user);
                    } else if (cb instanceof PasswordCallback p) {
                        p.setPassword(password.toCharArray());
                    }
                }
            });
            lc.login();
        } catch (LoginLockedException e) {
            throw ApiException.tooMany("too_many_attempts", e.getMessage(), e.retryAfterSeconds());
        } catch (LoginException e) {
            throw new ApiException(401, "unauthorized", "wrong user name or password");
        } finally {
            thread.setContextClassLoader(previous);
        }
        Set<String> roles = new HashSet<>();
        for (RolePrincipal p : subject.getPrincipals(RolePrincipal.class)) {
            roles.add(p.getName());
        }
        return new Caller(user, Set.copyOf(roles));
    }
}
