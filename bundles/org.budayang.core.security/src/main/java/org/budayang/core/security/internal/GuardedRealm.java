package org.budayang.core.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Karaf's {@code karaf} realm with the login throttle in front: registered under the same name
 * with a higher rank (Karaf uses the highest ranked realm of a name), its entries are the
 * throttle followed by the entries of the realm it stands in for, read anew on every login so
 * that Karaf's own configuration of that realm keeps working. One place guards the API's HTTP
 * Basic, the console over SSH and JMX.
 */
@Component(service = JaasRealm.class, configurationPid = "org.budayang.security", property = GuardedRealm.MARK + "=true",
        immediate = true)
@Designate(ocd = SecurityConfig.class)
public final class GuardedRealm implements JaasRealm {
    static final String MARK = "budayang.guarded";
    static final int RANK = 100;
    /** Lock events go to their own logger, so that an audit trail can be routed apart. */
    private static final Logger AUDIT = LoggerFactory.getLogger("org.budayang.audit.security");
    private static final Logger LOG = LoggerFactory.getLogger(GuardedRealm.class);

    private final long bundleId;
    private final LoginThrottle throttle;
    private final List<JaasRealm> others = new CopyOnWriteArrayList<>();
    private volatile String name;

    @Activate
    public GuardedRealm(BundleContext context, SecurityConfig config) {
        this.bundleId = context.getBundle().getBundleId();
        this.throttle = new LoginThrottle(settings(config), Clock.systemUTC(), AUDIT::warn);
        this.name = config.realm();
        LOG.info("Password logins of realm '{}' are throttled: {} wrong per user and address, {} per address, {} per user "
                + "within {} s lock for {} s, doubling up to {} s", name, config.pair_attempts(), config.address_attempts(),
                config.user_attempts(), config.window_seconds(), config.lock_seconds(), config.lock_max_seconds());
    }

    @Modified
    void modified(SecurityConfig config) {
        throttle.configure(settings(config));
        name = config.realm();
        LOG.info("Login throttle now: {} wrong per user and address, {} per address, {} per user within {} s; lock {} s "
                + "doubling up to {} s", config.pair_attempts(), config.address_attempts(), config.user_attempts(),
                config.window_seconds(), config.lock_seconds(), config.lock_max_seconds());
    }

    static LoginThrottle.Settings settings(SecurityConfig c) {
        return new LoginThrottle.Settings(Math.max(1, c.pair_attempts()), Math.max(1, c.address_attempts()),
                Math.max(1, c.user_attempts()), Duration.ofSeconds(Math.max(1, c.window_seconds())),
                Duration.ofSeconds(Math.max(1, c.lock_seconds())), Duration.ofSeconds(Math.max(1, c.lock_max_seconds())),
                Math.max(100, c.max_tracked()));
    }

    /** Every other realm; the one stood in for is the best ranked of the same name. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, target = "(!(" + MARK + "=true))")
    void addRealm(JaasRealm realm) {
        others.add(realm);
    }

    void removeRealm(JaasRealm realm) {
        others.remove(realm);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getRank() {
        return RANK;
    }

    @Override
    public AppConfigurationEntry[] getEntries() {
        JaasRealm base = base();
        Map<String, Object> options = new HashMap<>();
        options.put(ProxyLoginModule.PROPERTY_MODULE, ThrottleLoginModule.class.getName());
        options.put(ProxyLoginModule.PROPERTY_BUNDLE, String.valueOf(bundleId));
        options.put(ThrottleLoginModule.THROTTLE, throttle);
        List<AppConfigurationEntry> entries = new ArrayList<>();
        entries.add(new AppConfigurationEntry(ProxyLoginModule.class.getName(), LoginModuleControlFlag.REQUISITE, options));
        // Without the realm stood in for, nothing can log in: fail closed.
        if (base != null) {
            entries.addAll(List.of(base.getEntries()));
        }
        return entries.toArray(new AppConfigurationEntry[0]);
    }

    /** The realm stood in for, for the first-admin setup (its user store). */
    JaasRealm base() {
        JaasRealm base = null;
        for (JaasRealm r : others) {
            if (r.getName().equals(name) && r.getRank() < RANK && (base == null || r.getRank() > base.getRank())) {
                base = r;
            }
        }
        return base;
    }
}
