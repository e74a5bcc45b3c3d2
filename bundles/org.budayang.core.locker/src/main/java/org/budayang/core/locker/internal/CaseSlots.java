package org.budayang.core.locker.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.budayang.api.locker.Direction;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.LockerException.Kind;

/**
 * How many compartments one case holds at once, counted apart for the citizen's materials
 * ({@code max.compartments.per.case}) and the department's result
 * ({@code max.compartments.per.result}): otherwise one citizen could fill a cabinet with one
 * case, each drop-off sending the staff an SMS.
 *
 * <p>A parcel that is in or going in holds a place {@code <case>/<direction>/<k>}, k = 1…limit,
 * in the unique column {@code locker_parcel.case_slot} (cleared when it is collected or
 * cancelled). The count alone would let two concurrent drop-offs both see a free place; the
 * unique place makes the database refuse the second.
 */
final class CaseSlots {
    private static final String CONSTRAINT = "LOCKER_PARCEL_CASE_SLOT";

    /** A concurrent drop-off of the same case took that place first; the transaction is rolled back. */
    static final class Taken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Taken(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private CaseSlots() {
    }

    /** The lowest free place of the case in that direction; null when it holds {@code limit} compartments. */
    static String free(Connection c, String caseNo, Direction dir, int limit) throws SQLException {
        Set<String> taken = new HashSet<>();
        int holding = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT case_slot FROM locker_parcel WHERE case_no = ? "
                + "AND direction = ? AND state IN ('DEPOSITING', 'STORED')")) {
            Db.bind(ps, caseNo, dir);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    holding++;
                    taken.add(rs.getString(1));
                }
            }
        }
        if (holding >= limit) {
            return null;
        }
        for (int k = 1; k <= limit; k++) {
            String place = caseNo + "/" + dir + "/" + k;
            if (!taken.contains(place)) {
                return place;
            }
        }
        return null;
    }

    /** Where the case's parcels in that direction are, e.g. {@code demo-c1 compartment 3}. */
    static List<String> held(Connection c, String caseNo, Direction dir) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cabinet_id, compartment FROM locker_parcel WHERE case_no = ? "
                + "AND direction = ? AND state IN ('DEPOSITING', 'STORED') ORDER BY id")) {
            Db.bind(ps, caseNo, dir);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " compartment " + rs.getInt(2));
                }
            }
        }
        return out;
    }

    /** A quick look outside any transaction: refuses a case that holds its compartments already. */
    static void refuseAtLimit(Db db, String caseNo, Direction dir, int limit) {
        if (db.read(c -> free(c, caseNo, dir, limit)) == null) {
            throw db.read(c -> limitReached(held(c, caseNo, dir), caseNo, dir, limit));
        }
    }

    static LockerException limitReached(List<String> held, String caseNo, Direction dir, int limit) {
        boolean in = dir == Direction.IN;
        return new LockerException(Kind.CONFLICT, "compartment_limit", "case " + caseNo + " already holds " + limit
                + (limit == 1 ? " compartment" : " compartments") + " with its " + (in ? "paper materials" : "result")
                + " (" + String.join(", ", held) + "): at most " + limit + " at a time ("
                + (in ? "max.compartments.per.case" : "max.compartments.per.result") + "). Nothing was reserved; "
                + (in ? "all of a case's paper goes in that compartment; ask the hall staff if it does not fit"
                        : "the result already there has to be picked up first"));
    }

    /** Runs the parcel insert; a place another drop-off of the case just took becomes {@link Taken}. */
    static void insert(PreparedStatement ps) throws SQLException {
        try {
            ps.executeUpdate();
        } catch (SQLException e) {
            if (Db.duplicate(e) && String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT).contains(CONSTRAINT)) {
                throw new Taken(e);
            }
            throw e;
        }
    }
}
