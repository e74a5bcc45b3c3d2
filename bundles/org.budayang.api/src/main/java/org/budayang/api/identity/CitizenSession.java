package org.budayang.api.identity;

import java.time.Instant;

/**
 * One citizen logged in at one terminal. Ends on logout, on the next login at the same
 * terminal and after an idle timeout: the next person at a public terminal must never see
 * the last one's data.
 *
 * @param id public handle of the session (safe in URLs and logs)
 * @param method the login method's name, e.g. {@code idcard}
 * @param expiresAt when it ends unless used again
 */
public record CitizenSession(String id, String terminal, Person person, String method, Instant startedAt,
        Instant expiresAt) {
}
