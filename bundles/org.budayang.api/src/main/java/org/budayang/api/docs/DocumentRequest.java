package org.budayang.api.docs;

import java.util.Objects;

import org.budayang.api.identity.CitizenSession;

/**
 * A citizen asking for the document of one item at the terminal of their session.
 *
 * @param item code of a {@code query} or {@code certificate} item that terminal offers
 */
public record DocumentRequest(CitizenSession session, String item) {
    public DocumentRequest {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(item, "item");
    }
}
