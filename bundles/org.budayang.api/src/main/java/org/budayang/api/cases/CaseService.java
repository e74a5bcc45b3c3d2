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
     * department's back office at once; if that is down the case is kept and forwarded later. A
     * department without a back office ({@link #hasBackOffice(String)}) has the case processed in
     * the hall ({@link #processedInHall(String)}): it is never forwarded.
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
     * The token of the case's public status page (what the receipt's QR code leads to): random
     * and unguessable, made when the case is submitted (or on first use for older cases), the
     * same on every call.
     *
     * @throws CaseException NOT_FOUND for an unknown case
     * @since 1.2
     */
    String statusToken(String number);

    /**
     * The public status of the case a status token belongs to; empty for an unknown or
     * malformed token.
     *
     * @since 1.2
     */
    Optional<PublicCaseStatus> publicStatus(String statusToken);

    /**
     * Whether the department has a back office the platform forwards its cases to: a
     * {@link BackOffice} registered for it, or a connector configured for it (even while it is
     * down or still starting). Without one its cases are processed in the hall.
     *
     * @since 1.2
     */
    boolean hasBackOffice(String department);

    /**
     * True if the case is processed in the hall by the hall's window staff rather than by its
     * department's back office: its department had none when it was submitted (or when the
     * platform came to forward it). Such a case is never forwarded.
     *
     * @since 1.2
     */
    boolean processedInHall(String number);

    /**
     * The cases of one department processed in the hall ({@link #processedInHall(String)}),
     * newest first, at most {@code limit}.
     *
     * @since 1.2
     */
    List<CaseRecord> hallCases(String department, int limit);

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
