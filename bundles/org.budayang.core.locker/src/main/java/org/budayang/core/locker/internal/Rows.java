package org.budayang.core.locker.internal;

import static org.budayang.core.locker.internal.Db.instant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import org.budayang.api.locker.CompartmentState;
import org.budayang.api.locker.Direction;
import org.budayang.api.locker.DoorAction;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.ParcelState;
import org.budayang.api.locker.Size;

/** Compartment and parcel rows as stored, and how they are read. */
final class Rows {
    static final String COMPARTMENT_COLS = "c.cabinet_id, c.n, c.board, c.lock_no, c.size, c.state, c.parcel_id, "
            + "c.door_action, c.door_actor, c.door_intent_at, c.door_opened_at, c.note";
    static final String PARCEL_COLS = "p.id, p.case_no, p.department, p.direction, p.state, p.cabinet_id, "
            + "p.compartment, p.phone, p.created_at, p.stored_at, p.code_expires_at, p.collected_at, p.collected_by";

    /** A compartment row as stored. */
    record Row(String cabinet, int n, int board, int lock, Size size, CompartmentState state, Long parcelId,
            DoorAction door, String doorActor, Instant intentAt, Instant openedAt, String note) {
    }

    /** A parcel with what the API never shows: the phone in clear. */
    record ParcelRow(Parcel view, String phone) {
        long id() {
            return view.id();
        }
    }

    static Row row(ResultSet rs) throws SQLException {
        long parcel = rs.getLong(7);
        Long parcelId = rs.wasNull() ? null : parcel;
        String door = rs.getString(8);
        return new Row(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), Size.valueOf(rs.getString(5).strip()),
                CompartmentState.valueOf(rs.getString(6)), parcelId, door == null ? null : DoorAction.valueOf(door),
                rs.getString(9), instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)), rs.getString(12));
    }

    /** Reads {@link #PARCEL_COLS} starting at column {@code at}; null when the id is NULL (outer join). */
    static ParcelRow parcelRow(ResultSet rs, int at) throws SQLException {
        long id = rs.getLong(at);
        if (rs.wasNull()) {
            return null;
        }
        String phone = rs.getString(at + 7);
        Parcel p = new Parcel(id, rs.getString(at + 1), rs.getString(at + 2), Direction.valueOf(rs.getString(at + 3).strip()),
                ParcelState.valueOf(rs.getString(at + 4)), rs.getString(at + 5), rs.getInt(at + 6), maskPhone(phone),
                instant(rs.getTimestamp(at + 8)), instant(rs.getTimestamp(at + 9)), instant(rs.getTimestamp(at + 10)),
                instant(rs.getTimestamp(at + 11)), rs.getString(at + 12));
        return new ParcelRow(p, phone);
    }

    static String maskPhone(String phone) {
        if (phone == null) {
            return null;
        }
        return phone.length() == 11 ? phone.substring(0, 3) + "****" + phone.substring(7) : "*".repeat(phone.length());
    }

    static Row row(Connection c, String cabinet, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COMPARTMENT_COLS
                + " FROM locker_compartment c WHERE c.cabinet_id = ? AND c.n = ?")) {
            Db.bind(ps, cabinet, n);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    static ParcelRow parcelRow(Connection c, String where, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PARCEL_COLS + " FROM locker_parcel p WHERE " + where
                + " ORDER BY p.id")) {
            Db.bind(ps, args);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? parcelRow(rs, 1) : null;
            }
        }
    }

    private Rows() {
    }
}
