package org.budayang.api.locker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.budayang.api.identity.CitizenSession;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Smart file lockers. Every state change is one transaction; a door counts as opened only when
 * the lock board confirms it, and a compartment is never given to two parcels.
 *
 * <p>Deposits: the call reserves a free compartment of the size asked for, opens its door and
 * returns the parcel as {@link ParcelState#DEPOSITING}; once the board reports the door closed
 * again the parcel is {@link ParcelState#STORED}, and in the same transaction the case gets a
 * history entry and the SMS with the pickup code is put in the outbox.
 *
 * <p>Pickups: the call opens the door and returns the parcel as {@link ParcelState#COLLECTED};
 * the compartment is free again once the board reports the door closed.
 *
 * <p>Every method throws {@link LockerException}; {@code UNAVAILABLE} when the lock board does not
 * confirm the open (nothing is recorded as done), {@code CONFLICT} with code {@code door_stuck}
 * when it answers that the door stayed closed.
 */
@ProviderType
public interface LockerService {
    /** Cabinets of a hall, ordered by id. */
    List<Cabinet> cabinets(String hall);

    Optional<Cabinet> cabinet(String id);

    Optional<Parcel> parcel(long id);

    /**
     * A citizen hands in the paper materials of their case, at the cabinet's terminal.
     *
     * @param phone the citizen's mobile for the result SMS later; may be null
     * @throws LockerException FORBIDDEN ({@code wrong_terminal}) when the session is not at the
     *         cabinet's terminal; NOT_FOUND for a case that is not theirs; CONFLICT
     *         ({@code case_closed}) for a case past acceptance, ({@code compartment_limit}) when the
     *         case already holds {@code max.compartments.per.case} compartments with its materials,
     *         ({@code no_free_compartment}); INVALID for a malformed case number or phone
     */
    Parcel depositMaterials(String cabinet, CitizenSession session, String caseNumber, Size size, String phone);

    /**
     * Staff put a case's result in a compartment for the citizen. When the door closes the case
     * moves from approved to result-ready and the citizen gets an SMS with a pickup code.
     *
     * @param phone the citizen's mobile; null to use the one given at drop-off or in the form
     * @throws LockerException FORBIDDEN for staff of another department; CONFLICT
     *         ({@code not_approved}) unless the case is approved or result-ready,
     *         ({@code compartment_limit}) when the case already holds
     *         {@code max.compartments.per.result} compartments with its result
     */
    Parcel depositResult(String cabinet, Staff staff, String caseNumber, Size size, String phone);

    /**
     * Opens the compartment whose parcel has this pickup code (staff or citizen). The code works
     * once. After {@code code.free.attempts} wrong codes at the cabinet, each further code is taken
     * only {@code code.wait.seconds} (at most 60) after the last wrong one; one entered earlier is
     * refused unchecked, whether right or wrong.
     *
     * @throws LockerException FORBIDDEN ({@code wrong_code}), GONE ({@code code_expired}),
     *         CONFLICT ({@code code_used}: the code already opened its compartment; not counted as
     *         wrong), LOCKED_OUT ({@code locked_out}, with the seconds to wait), INVALID (not digits,
     *         or shorter than the cabinet's codes)
     */
    Parcel pickupWithCode(String cabinet, String code);

    /** Staff take out the materials of one of their department's cases with their login. */
    Parcel pickupByStaff(String cabinet, Staff staff, String caseNumber);

    /**
     * Reads the ID card put on the reader of the cabinet's terminal and opens the compartment
     * with that person's result.
     *
     * @param wait how long to wait for a card
     * @throws LockerException CONFLICT ({@code no_card}) when none was put on the reader in time,
     *         NOT_FOUND ({@code no_parcel}) when no result for that person is in the cabinet,
     *         UNAVAILABLE ({@code reader_unavailable})
     */
    Parcel pickupWithIdCard(String cabinet, Duration wait);

    /** An admin opens a door by hand; the reason goes to the audit log. State is not changed. */
    Compartment openByHand(String cabinet, int compartment, String admin, String reason);

    /**
     * Takes an empty compartment out of service or puts it back.
     *
     * @throws LockerException CONFLICT when it holds a parcel or a door command is under way
     */
    Compartment setOutOfService(String cabinet, int compartment, boolean outOfService, String admin, String reason);

    /** Occupancy, doors open, the code guard and the newest audit entries. */
    Overview overview(String cabinet, int recentAudit);

    /** The newest audit entries of a cabinet first. */
    List<AuditEntry> audit(String cabinet, int limit);
}
