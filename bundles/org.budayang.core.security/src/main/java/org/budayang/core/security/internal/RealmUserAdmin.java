package org.budayang.core.security.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.budayang.api.security.UserAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and platform roles in the realm's user store, through Karaf's backing engine (the same
 * store and encryption as {@code jaas:user-add}); every change goes to the audit log.
 */
@Component(service = UserAdmin.class)
public final class RealmUserAdmin implements UserAdmin {
    private static final Logger AUDIT = LoggerFactory.getLogger("org.budayang.audit.security");
    private static final Pattern ROLE_PATTERN = Pattern.compile(ROLE);
    /** A new user comes with at most this many roles. */
    static final int MAX_ROLES = 20;

    private final RealmUsers users;

    @Activate
    public RealmUserAdmin(@Reference(target = "(" + GuardedRealm.MARK + "=true)") JaasRealm realm,
            @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policy = ReferencePolicy.STATIC) List<BackingEngineFactory> factories) {
        this.users = new RealmUsers(realm, factories);
    }

    @Override
    public synchronized List<User> users() throws UserException {
        BackingEngine engine = engine();
        List<User> out = new ArrayList<>();
        for (UserPrincipal u : engine.listUsers()) {
            out.add(new User(u.getName(), RealmUsers.roles(engine, u)));
        }
        out.sort(Comparator.comparing(User::name));
        return out;
    }

    @Override
    public synchronized User create(String user, char[] password, Set<String> roles, String actor) throws UserException {
        checkUser(user);
        String weak = RealmUsers.weakPassword(user, password);
        if (weak != null) {
            throw new UserException("weak_password", weak);
        }
        if (roles.size() > MAX_ROLES) {
            throw new UserException("invalid_role", "at most " + MAX_ROLES + " roles at once");
        }
        for (String r : roles) {
            checkRole(r);
        }
        BackingEngine engine = engine();
        if (engine.lookupUser(user) != null) {
            // addUser would silently set a new password for the existing user.
            throw new UserException("exists", "user '" + user + "' exists already");
        }
        engine.addUser(user, new String(password));
        for (String r : roles) {
            engine.addRole(user, r);
        }
        AUDIT.warn("User '{}' created by '{}' with the roles {}", user, actor, roles.stream().sorted().toList());
        return user(engine, user);
    }

    @Override
    public synchronized User grant(String user, String role, String actor) throws UserException {
        checkUser(user);
        checkRole(role);
        BackingEngine engine = engine();
        User before = user(engine, user);
        if (before.roles().contains(role)) {
            return before;
        }
        engine.addRole(user, role);
        AUDIT.warn("Role '{}' granted to user '{}' by '{}'", role, user, actor);
        return user(engine, user);
    }

    @Override
    public synchronized User revoke(String user, String role, String actor) throws UserException {
        checkUser(user);
        checkRole(role);
        BackingEngine engine = engine();
        User before = user(engine, user);
        if (!before.roles().contains(role)) {
            throw new UserException("not_found", "user '" + user + "' does not have the role " + role);
        }
        if (role.equals(RealmUsers.HALL_ADMIN) && RealmUsers.admins(engine) <= 1) {
            throw new UserException("last_admin", "user '" + user + "' is the last hall admin; grant hall-admin to "
                    + "someone else first");
        }
        engine.deleteRole(user, role);
        User after = user(engine, user);
        if (after.roles().contains(role)) {
            throw new UserException("via_group", "user '" + user + "' has the role " + role + " through a group; "
                    + "change the group in the console (jaas:group-role-delete)");
        }
        AUDIT.warn("Role '{}' revoked from user '{}' by '{}'", role, user, actor);
        return after;
    }

    private BackingEngine engine() throws UserException {
        BackingEngine engine = users.engine();
        if (engine == null) {
            throw new UserException("unavailable", "the realm's users are not kept in users.properties (LDAP, JDBC…): "
                    + "manage them there");
        }
        return engine;
    }

    private static User user(BackingEngine engine, String user) throws UserException {
        UserPrincipal u = engine.lookupUser(user);
        if (u == null) {
            throw new UserException("not_found", "no user '" + user + "'");
        }
        return new User(u.getName(), RealmUsers.roles(engine, u));
    }

    private static void checkUser(String user) throws UserException {
        if (user == null || !RealmUsers.USER.matcher(user).matches()) {
            throw new UserException("invalid_user", RealmUsers.USER_RULE);
        }
    }

    private static void checkRole(String role) throws UserException {
        if (role == null || role.length() > 40 || !ROLE_PATTERN.matcher(role).matches()) {
            throw new UserException("invalid_role", "a role granted here is exactly one of hall-admin, hall-staff, "
                    + "staff-<department> or vendor-<department> (department: a-z first, then a-z, 0-9, '-', 2 to 32 "
                    + "characters); Karaf's console roles are given in the console");
        }
    }
}
