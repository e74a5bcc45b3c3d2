package org.budayang.api.cases;

import java.util.Optional;

import org.budayang.api.identity.CitizenSession;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Drafts let a citizen continue a form on their phone: the terminal shows a QR link carrying
 * the draft's id and a secret key; the phone reads and saves the draft with the key; back at
 * the terminal (logged in again if need be) the citizen's own draft is read and submitted.
 */
@ProviderType
public interface DraftService {
    /**
     * Starts a draft for an item offered at the session's terminal.
     *
     * @throws CaseException NOT_FOUND for an item not offered there, INVALID for a bad situation or form
     */
    Draft create(CitizenSession session, String item, String situation, String formJson);

    /** The draft, for its owner (any session of the same person); empty otherwise or when expired. */
    Optional<Draft> owned(CitizenSession session, String id);

    /** The draft, for whoever holds its key (the phone); empty for a wrong key or when expired. */
    Optional<Draft> withKey(String id, String key);

    /**
     * Saves the form on the phone; incomplete forms are fine, they are validated at submission.
     *
     * @throws CaseException NOT_FOUND for a wrong key or an expired draft, INVALID for a form that is not a JSON object
     */
    Draft save(String id, String key, String formJson);
}
