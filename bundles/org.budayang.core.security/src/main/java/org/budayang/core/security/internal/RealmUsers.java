package org.budayang.core.security.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.boot.principal.GroupPrincipal;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;

/**
 * The user store behind the guarded realm's properties login module (Karaf's users.properties),
 * through Karaf's backing engine: what the first-admin setup and the user admin both change.
 */
final class RealmUsers {
    static final String HALL_ADMIN = "hall-admin";
    /** User names: 3 to 32 characters, a-z first, then a-z, 0-9, '.', '_', '-'. */
    static final Pattern USER = Pattern.compile("[a-z][a-z0-9._-]{2,31}");
    static final String USER_RULE = "user names are 3 to 32 characters: a-z first, then a-z, 0-9, '.', '_', '-'";
    private static final String PROPERTIES_MODULE = "org.apache.karaf.jaas.modules.properties.PropertiesLoginModule";

    private final GuardedRealm realm;
    private final List<BackingEngineFactory> engines;

    RealmUsers(JaasRealm realm, List<BackingEngineFactory> engines) {
        this.realm = (GuardedRealm) realm;
        this.engines = List.copyOf(engines);
    }

    /** The engine of the realm's properties module; null for another store (LDAP, JDBC). */
    BackingEngine engine() {
        JaasRealm base = realm.base();
        if (base == null) {
            return null;
        }
        for (AppConfigurationEntry e : base.getEntries()) {
            if (PROPERTIES_MODULE.equals(e.getOptions().get(ProxyLoginModule.PROPERTY_MODULE))) {
                for (BackingEngineFactory f : engines) {
                    if (PROPERTIES_MODULE.equals(f.getModuleClass())) {
                        return f.build(e.getOptions());
                    }
                }
            }
        }
        return null;
    }

    /** The user's roles, its own and those of its groups. */
    static Set<String> roles(BackingEngine engine, UserPrincipal u) {
        Set<String> roles = new HashSet<>();
        engine.listRoles(u).forEach(r -> roles.add(r.getName()));
        for (GroupPrincipal g : engine.listGroups(u)) {
            for (RolePrincipal r : engine.listRoles(g)) {
                roles.add(r.getName());
            }
        }
        return roles;
    }

    /** How many users hold hall-admin, directly or through a group. */
    static long admins(BackingEngine engine) {
        return engine.listUsers().stream().filter(u -> roles(engine, u).contains(HALL_ADMIN)).count();
    }

    /** Null if the password will do, else why not. */
    static String weakPassword(String user, char[] password) {
        if (password == null || password.length < 12 || new String(password).equals(user) || new String(password).isBlank()) {
            return "the password must have at least 12 characters and differ from the user name";
        }
        if (password.length > 128) {
            return "the password must have at most 128 characters";
        }
        for (char c : password) {
            // users.properties separates roles with ',' and a control character would break the line.
            if (c == ',' || Character.isISOControl(c)) {
                return "the password may not contain ',' or control characters";
            }
        }
        return null;
    }
}
