package org.budayang.api.cases;

import java.time.Instant;

/**
 * A form being filled, on the terminal or on the citizen's phone.
 *
 * @param key the secret of the phone link; only present in the answer that created the draft
 */
public record Draft(String id, String key, String item, String situation, String formJson, Instant updatedAt,
        Instant expiresAt) {
}
