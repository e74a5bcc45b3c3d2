package org.budayang.api.identity;

import java.util.Map;

import org.budayang.api.hall.Terminal;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One way to log in (ID card, scanning the app's code, ...), registered as a service so that a
 * province can add its own. The session service picks the method by {@link #name()}.
 */
@ConsumerType
public interface LoginMethod {
    /** Service property carrying {@link #name()}, so consumers can filter without calling it. */
    String PROPERTY = "budayang.login.method";

    /** The value of {@code "method"} in a login request, e.g. {@code idcard}. */
    String name();

    /**
     * Checks the credentials presented at a terminal.
     *
     * @param credentials the login request's fields other than {@code method}, as parsed JSON
     *        (strings, numbers, booleans, lists and maps)
     * @throws LoginRejected when they do not establish who the citizen is
     */
    Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected;
}
