package org.budayang.web.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import javax.servlet.http.HttpServletRequest;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;

/**
 * HTTP Basic against a Karaf JAAS realm. Successful logins are remembered for a short while
 * (keyed by a hash of the credentials) so that an admin console does not re-run the login
 * modules on every call.
 */
final class Authenticator {
    record Caller(String user, Set<String> roles) {
    }

    private record Remembered(Caller caller, long until) {
    }

    private final String realm;
    private final long rememberNanos;
    private final ConcurrentHashMap<String, Remembered> remembered = new ConcurrentHashMap<>();

    Authenticator(String realm, long rememberSeconds) {
        this.realm = realm;
        this.rememberNanos = rememberSeconds * 1_000_000_000L;
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
        String key = sha256(decoded);
        Remembered r = remembered.get(key);
        long now = System.nanoTime();
        if (r != null && now - r.until() < 0) {
            return r.caller();
        }
        Caller caller = login(user, password);
        if (remembered.size() > 1000) {
            remembered.clear();
        }
        remembered.put(key, new Remembered(caller, now + rememberNanos));
        return caller;
    }

    private Caller login(String user, String password) {
        Subject subject = new Subject();
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

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
