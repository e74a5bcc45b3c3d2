package org.budayang.api.hall;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/** Halls, their terminals and which department modules each hall has switched on. */
@ProviderType
public interface HallService {
    List<Hall> halls();

    Optional<Hall> hall(String id);

    /** Terminals of a hall ordered by id; empty for an unknown hall. */
    List<Terminal> terminals(String hall);

    Optional<Terminal> terminal(String id);

    /**
     * Creates a hall.
     *
     * @throws HallException CONFLICT if the id is taken, INVALID if a value is malformed
     */
    Hall createHall(String id, org.budayang.api.catalogue.LocalizedText name);

    /**
     * Registers a terminal in an existing hall.
     *
     * @throws HallException NOT_FOUND for an unknown hall, CONFLICT if the id is taken,
     *         INVALID if a value is malformed
     */
    Registration register(String hall, String terminalId, String name, Set<String> capabilities);

    /**
     * Whether the token is the one issued to this terminal at registration.
     *
     * @since 1.1
     */
    boolean verifyToken(String terminal, String token);

    /** A module is enabled for a hall unless an admin switched it off. */
    boolean isEnabled(String hall, String department);

    /**
     * Persists the admin switch; works for modules not installed (yet).
     *
     * @param actor who flipped it, for the record
     * @throws HallException NOT_FOUND for an unknown hall
     */
    void setEnabled(String hall, String department, boolean enabled, String actor);
}
