package org.budayang.core.security.internal;

import java.io.IOException;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import org.apache.karaf.jaas.boot.principal.ClientPrincipal;
import org.budayang.api.security.LoginLockedException;

/**
 * The first module of the {@code karaf} realm: refuses a locked login before any password is
 * checked, and counts the outcome of the others (JAAS calls {@link #commit} when the login
 * succeeded as a whole and {@link #abort} when it failed). It never decides a login by itself:
 * {@link #login} returns false, so JAAS ignores it when adding up the result.
 *
 * <p>The client address comes from the {@link ClientPrincipal} that Karaf's SSH and JMX
 * authenticators, and the platform's HTTP login, put into the subject before logging in.
 */
public final class ThrottleLoginModule implements LoginModule {
    static final String THROTTLE = "budayang.throttle";

    private Subject subject;
    private CallbackHandler handler;
    private LoginThrottle throttle;
    private String user;
    private String address;
    private String via;
    private boolean refused;

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.handler = handler;
        this.throttle = (LoginThrottle) options.get(THROTTLE);
    }

    @Override
    public boolean login() throws LoginException {
        if (throttle == null) {
            throw new LoginException("the login throttle is not configured");
        }
        NameCallback name = new NameCallback("user: ");
        try {
            handler.handle(new Callback[] { name });
        } catch (IOException | UnsupportedCallbackException e) {
            throw new LoginException("cannot read the user name: " + e.getMessage());
        }
        user = LoginThrottle.printable(name.getName());
        address = "unknown";
        via = "unknown";
        for (ClientPrincipal p : subject.getPrincipals(ClientPrincipal.class)) {
            address = p.getAddress() == null ? "unknown" : hostOf(p.getAddress());
            via = p.getMethod();
        }
        long wait = throttle.lockedFor(user, address);
        if (wait > 0) {
            refused = true;
            throw new LoginLockedException("too many failed logins for user '" + user + "' or from " + address
                    + "; try again in " + wait + " s", wait);
        }
        refused = false;
        return false;
    }

    @Override
    public boolean commit() {
        if (user != null && !refused) {
            throttle.succeeded(user, address);
        }
        return false;
    }

    @Override
    public boolean abort() {
        // A login refused while locked is not counted again: the lock would never end.
        if (user != null && !refused) {
            throttle.failed(user, address, via);
        }
        return false;
    }

    @Override
    public boolean logout() {
        return false;
    }

    /** SSH gives "/127.0.0.1:53422"; the port changes with every connection, the host is what counts. */
    static String hostOf(String address) {
        String a = address.startsWith("/") ? address.substring(1) : address;
        int colon = a.lastIndexOf(':');
        if (colon > 0 && a.indexOf(':') == colon && a.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            a = a.substring(0, colon);
        } else if (a.startsWith("[") && a.contains("]:")) {
            a = a.substring(1, a.indexOf("]:"));
        }
        return a;
    }
}
