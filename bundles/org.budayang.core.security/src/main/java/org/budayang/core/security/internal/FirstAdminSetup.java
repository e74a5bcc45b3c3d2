package org.budayang.core.security.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.budayang.api.security.AdminSetup;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server that ships without a working password gets its first hall admin here: while no user
 * of the realm holds {@code hall-admin}, a random one-time token is written to the log and to
 * {@code ${karaf.data}/budayang/setup-token} at start; {@code POST /api/v1/setup} with it creates
 * the admin through Karaf's own user store (so the realm's password encryption applies).
 */
@Component(service = AdminSetup.class, immediate = true)
public final class FirstAdminSetup implements AdminSetup {
    private static final Logger LOG = LoggerFactory.getLogger(FirstAdminSetup.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("org.budayang.audit.security");
    static final String HALL_ADMIN = RealmUsers.HALL_ADMIN;
    static final String ADMIN_GROUP = "admingroup";
    /** Karaf's console roles plus the platform's, as the demo's admin has them. */
    static final List<String> ADMIN_GROUP_ROLES = List.of("admin", "manager", "viewer", "systembundles", "ssh", HALL_ADMIN);

    private final RealmUsers users;
    private final Path tokenFile;
    private volatile String token;

    @Activate
    public FirstAdminSetup(@Reference(target = "(" + GuardedRealm.MARK + "=true)") JaasRealm realm,
            @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.STATIC) List<BackingEngineFactory> factories) {
        this.users = new RealmUsers(realm, factories);
        this.tokenFile = Path.of(System.getProperty("karaf.data", "data"), "budayang", "setup-token");
        if (adminExists()) {
            deleteTokenFile();
            return;
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            Files.createDirectories(tokenFile.getParent());
            Files.deleteIfExists(tokenFile);
            Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tokenFile, token + "\n", StandardCharsets.US_ASCII);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Could not write the setup token to {}: {}", tokenFile, e.toString());
        }
        LOG.warn("No hall admin exists yet. Create the first one with the one-time setup token {} (also in {}): "
                + "curl -H 'Content-Type: application/json' -d '{{\"token\": \"{}\", \"user\": \"<name>\", \"password\": \"<at least 12 characters>\"}}' "
                + "http://localhost:8181/api/v1/setup", token, tokenFile, token);
    }

    @Override
    public boolean pending() {
        return token != null && !adminExists();
    }

    @Override
    public synchronized void createFirstAdmin(String given, String user, char[] password) throws SetupException {
        if (token == null || adminExists()) {
            throw new SetupException("done", "the first hall admin exists already; add further users with the jaas: commands");
        }
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            AUDIT.warn("First-admin setup refused: wrong setup token");
            throw new SetupException("bad_token", "wrong setup token (see the log or " + tokenFile + ")");
        }
        if (user == null || !RealmUsers.USER.matcher(user).matches()) {
            throw new SetupException("invalid_user", RealmUsers.USER_RULE);
        }
        String weak = RealmUsers.weakPassword(user, password);
        if (weak != null) {
            throw new SetupException("weak_password", weak);
        }
        BackingEngine engine = users.engine();
        if (engine == null) {
            throw new SetupException("unavailable", "the realm's user store cannot be changed from here");
        }
        if (engine.listGroups().keySet().stream().noneMatch(g -> g.getName().equals(ADMIN_GROUP))) {
            engine.createGroup(ADMIN_GROUP);
            for (String role : ADMIN_GROUP_ROLES) {
                engine.addGroupRole(ADMIN_GROUP, role);
            }
        }
        engine.addUser(user, new String(password));
        engine.addGroup(user, ADMIN_GROUP);
        token = null;
        deleteTokenFile();
        AUDIT.warn("First hall admin '{}' created with the setup token; the token is spent", user);
    }

    private void deleteTokenFile() {
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", tokenFile, e.toString());
        }
    }

    /** True if some user of the realm holds hall-admin, directly or through a group. */
    boolean adminExists() {
        BackingEngine engine = users.engine();
        // Unknown store (LDAP, JDBC): its admins are set up there.
        return engine == null || RealmUsers.admins(engine) > 0;
    }
}
