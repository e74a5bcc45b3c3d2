package org.budayang.api.cases;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.budayang.api.identity.CitizenSession;
import org.osgi.annotation.versioning.ProviderType;

/** Cases: submitting, reading and advancing them. Every change is one transaction. */
@ProviderType
public interface CaseService {
    /**
     * Submits an application for the citizen of a session and tries to forward it to the
     * department's back office at once; if that is down the case is kept and forwarded later.
     *
     * @param formJson a JSON object
     * @throws CaseException NOT_FOUND for an item the session's terminal does not offer,
     *         INVALID for an unknown situation or a malformed form
     */
    CaseRecord submit(CitizenSession session, String item, String situation, String formJson);

    /** The cases of the person of this session, newest first. */
    List<CaseRecord> mine(CitizenSession session);

    /** Cases of one department, newest first, at most {@code limit}. */
    List<CaseRecord> ofDepartment(String department, int limit);

    Optional<CaseRecord> find(String number);

    /**
     * Moves a case on.
     *
     * @param note required for a rejection (the reason the citizen sees)
     * @throws CaseException NOT_FOUND, CONFLICT for a transition the status does not allow,
     *         INVALID for a rejection without reason
     */
    CaseRecord advance(String number, CaseStatus to, String actor, String note);

    /**
     * Moves a case on inside the caller's transaction, so that the move commits or rolls back
     * together with the caller's own change (a locker door closing on the result, say).
     *
     * @param tx a connection from the platform's DataSource with auto-commit off
     * @throws CaseException as {@link #advance(String, CaseStatus, String, String)}; the caller
     *         should roll back
     * @since 1.1
     */
    void advance(Connection tx, String number, CaseStatus to, String actor, String note) throws SQLException;

    /**
     * Adds a remark to a case's history without changing its status (an event whose
     * {@code from} and {@code to} are both the current status), inside the caller's transaction.
     *
     * @throws CaseException NOT_FOUND, INVALID for an empty note
     * @since 1.1
     */
    void note(Connection tx, String number, String actor, String note) throws SQLException;
}
