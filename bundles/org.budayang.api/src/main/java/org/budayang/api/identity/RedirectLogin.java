package org.budayang.api.identity;

import java.time.Instant;
import java.util.Map;

import org.budayang.api.hall.Terminal;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A login the citizen completes in a browser at an identity provider (the unified identity
 * account, OpenID Connect): the terminal {@linkplain #start starts} it and shows the returned
 * address as a QR code, the provider sends the browser back to the callback, which
 * {@linkplain #complete completes} it, and the terminal then opens the session through the
 * {@link LoginMethod} of the same {@link #name()} with {@code {"state": ...}}.
 * <p>
 * Registered as a service beside the {@link LoginMethod}, with {@link LoginMethod#PROPERTY}.
 */
@ConsumerType
public interface RedirectLogin {
    /**
     * A started login.
     *
     * @param authorizationUrl where the citizen's browser goes to log in
     * @param state the handle the terminal opens the session with once the login is completed
     * @param expiresAt after this the login must be started again
     */
    record Started(String authorizationUrl, String state, Instant expiresAt) {
    }

    /** The same name as the {@link LoginMethod}, e.g. {@code oidc}. */
    String name();

    /**
     * Starts a login for a citizen at this terminal.
     *
     * @throws LoginRejected e.g. {@code not_configured}, {@code provider_unavailable}
     */
    Started start(Terminal terminal) throws LoginRejected;

    /**
     * Completes a login from the provider's redirect back to the callback.
     *
     * @param parameters the callback's query parameters (e.g. {@code code}, {@code state},
     *        {@code error})
     * @return the terminal the login was started at
     * @throws LoginRejected e.g. {@code unknown_state}, {@code invalid_token},
     *         {@code provider_unavailable}
     */
    String complete(Map<String, String> parameters) throws LoginRejected;
}
