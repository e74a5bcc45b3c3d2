package org.budayang.core.cases.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import javax.sql.DataSource;

import org.budayang.api.cases.CaseException;
import org.budayang.api.cases.Draft;
import org.budayang.api.cases.DraftService;
import org.budayang.api.catalogue.Item;
import org.budayang.api.hall.MenuService;
import org.budayang.api.identity.CitizenSession;
import org.budayang.core.store.tx.Transactions;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Drafts in the database, so a phone and the terminal (or two terminals of a multi-node hall)
 * see the same one. The phone proves itself with the link's key, of which only a hash is kept;
 * the terminal with a session of the same person. Drafts live 30 minutes from their last save.
 */
@Component
public final class DraftStore implements DraftService {
    static final Duration LIFETIME = Duration.ofMinutes(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource db;
    private final MenuService menus;
    private final IdVault vault;
    private final CaseServiceImpl cases;

    @Activate
    public DraftStore(@Reference(target = "(budayang.store=main)") DataSource db, @Reference MenuService menus,
            @Reference IdVault vault, @Reference CaseServiceImpl cases) {
        this.db = db;
        this.menus = menus;
        this.vault = vault;
        this.cases = cases;
    }

    @Override
    public Draft create(CitizenSession session, String itemCode, String situation, String formJson) {
        Item item = CaseServiceImpl.offered(menus, session.terminal(), itemCode);
        if (situation != null) {
            CaseServiceImpl.checkSituation(item, situation);
        }
        String form = CaseServiceImpl.checkForm(formJson);
        String id = token(12);
        String key = token(24);
        Instant now = Instant.now();
        String owner = vault.hash(session.person().id().value());
        Transactions.inTransaction(db, c -> {
            cases.upsertPerson(c, owner, session.person(), now);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO form_draft (id, key_hash, applicant_hash, item, "
                    + "situation, form_json, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, sha256(key));
                ps.setString(3, owner);
                ps.setString(4, item.code());
                ps.setString(5, situation);
                ps.setString(6, form);
                ps.setTimestamp(7, Timestamp.from(now));
                ps.setTimestamp(8, Timestamp.from(now.plus(LIFETIME)));
                ps.executeUpdate();
            }
            return null;
        });
        return new Draft(id, key, item.code(), situation, form, now, now.plus(LIFETIME));
    }

    @Override
    public Optional<Draft> owned(CitizenSession session, String id) {
        return load(id).filter(r -> r.owner.equals(vault.hash(session.person().id().value()))).map(Row::draft);
    }

    @Override
    public Optional<Draft> withKey(String id, String key) {
        return load(id).filter(r -> key != null && MessageDigest.isEqual(r.keyHash.getBytes(StandardCharsets.US_ASCII),
                sha256(key).getBytes(StandardCharsets.US_ASCII))).map(Row::draft);
    }

    @Override
    public Draft save(String id, String key, String formJson) {
        Draft d = withKey(id, key).orElseThrow(() -> new CaseException(CaseException.Kind.NOT_FOUND,
                "no draft " + id + " for this link (wrong link, or it expired)"));
        String form = CaseServiceImpl.checkForm(formJson);
        Instant now = Instant.now();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE form_draft SET form_json = ?, updated_at = ?, expires_at = ? WHERE id = ?")) {
            ps.setString(1, form);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setTimestamp(3, Timestamp.from(now.plus(LIFETIME)));
            ps.setString(4, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
        return new Draft(d.id(), null, d.item(), d.situation(), form, now, now.plus(LIFETIME));
    }

    private record Row(Draft draft, String keyHash, String owner) {
    }

    private Optional<Row> load(String id) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT item, situation, form_json, updated_at, expires_at, key_hash, applicant_hash FROM form_draft WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Instant expires = rs.getTimestamp(5).toInstant();
                if (!expires.isAfter(Instant.now())) {
                    return Optional.empty();
                }
                return Optional.of(new Row(new Draft(id, null, rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), expires), rs.getString(6), rs.getString(7)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }

    /** {@code bytes} random bytes, base64url without padding: draft ids and keys, case status tokens. */
    static String token(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
