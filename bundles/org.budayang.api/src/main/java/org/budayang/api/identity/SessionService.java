package org.budayang.api.identity;

import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Citizen sessions: opening them through a login method, finding and ending them. */
@ProviderType
public interface SessionService {
    /** A session and the bearer token that proves it (the token is never stored in clear). */
    record Opened(CitizenSession session, String token) {
    }

    /**
     * Logs a citizen in at a terminal; any earlier session at that terminal ends.
     *
     * @throws LoginRejected for an unknown method ({@code unknown_method}) or rejected credentials
     */
    Opened open(String terminal, String method, Map<String, Object> credentials) throws LoginRejected;

    /** The live session for a bearer token, extending its idle deadline; empty if none. */
    Optional<CitizenSession> touch(String token);

    /** Ends the session with this token; false if there was none. */
    boolean close(String token);

    /** Names of the login methods available now. */
    java.util.Set<String> methods();
}
