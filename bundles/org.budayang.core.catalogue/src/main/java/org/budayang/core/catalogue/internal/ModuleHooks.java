package org.budayang.core.catalogue.internal;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.docs.RecordSource;
import org.budayang.core.catalogue.internal.ModuleGate.Decision;
import org.budayang.core.catalogue.internal.ModuleGate.Verdict;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framework hooks that make the gate's decisions hold whatever installed a bundle:
 * a refused department bundle never resolves (so none of its code runs), and of an accepted
 * one, other bundles see only the services a department may provide, for its own department.
 */
final class ModuleHooks implements ResolverHookFactory, FindHook, EventListenerHook {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleHooks.class);
    /** The services a department may provide, and the property that says for whom. */
    private static final Set<String> FOR_DEPARTMENT = Set.of(BackOffice.class.getName(), RecordSource.class.getName());
    private static final Set<String> DEVICE_TYPES = Set.of(DeviceDriver.class.getName(), DeviceSimulator.class.getName());
    /** What department code must not reach: the platform's database. */
    private static final Set<String> NOT_FOR_DEPARTMENTS = Set.of("javax.sql.DataSource", "org.osgi.service.jdbc.DataSourceFactory");

    private final ModuleGate gate;
    private final Consumer<Decision> onRefused;
    private final BiConsumer<Long, String> onWarning;
    /** Service ids already warned about, so each is logged once. */
    private final Set<Long> warned = ConcurrentHashMap.newKeySet();

    ModuleHooks(ModuleGate gate, Consumer<Decision> onRefused, BiConsumer<Long, String> onWarning) {
        this.gate = gate;
        this.onRefused = onRefused;
        this.onWarning = onWarning;
    }

    // ---- resolver hook: refused bundles never resolve ----------------------------------------

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        java.util.Set<BundleRevision> triggered = java.util.Set.copyOf(triggers);
        return new ResolverHook() {
            /**
             * Only the revisions this resolve was asked for are taken out: Felix 7.0.5 then filters
             * every provider against what is left, resolved bundles included, so taking out a
             * refused bundle that is not part of this resolve would leave the others unwireable.
             * A refused bundle another one would pull in is stopped in filterMatches instead.
             */
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                for (Iterator<BundleRevision> it = candidates.iterator(); it.hasNext();) {
                    BundleRevision r = it.next();
                    if (triggered.contains(r) && refused(r)) {
                        it.remove();
                    }
                }
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisions) {
                // Not ours to decide.
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                candidates.removeIf(c -> c.getRevision().getWiring() == null && refused(c.getRevision()));
            }

            @Override
            public void end() {
                // Nothing held.
            }
        };
    }

    private boolean refused(BundleRevision r) {
        Bundle b = r.getBundle();
        if (b == null || b.getBundleId() == 0) {
            return false;
        }
        try {
            Decision d = gate.decide(b);
            if (d.verdict() == Verdict.REFUSED) {
                onRefused.accept(d);
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            // Never break the framework's resolver: a fault here refuses only this bundle.
            LOG.error("Module check of {} failed; it stays unresolved", b.getSymbolicName(), e);
            return true;
        }
    }

    // ---- service hooks: department services count for their own department only --------------

    @Override
    public void find(BundleContext context, String name, String filter, boolean allServices,
            Collection<ServiceReference<?>> references) {
        Bundle asking = context.getBundle();
        boolean askerIsDepartment = asking != null && ModuleGate.header(asking) != null;
        for (Iterator<ServiceReference<?>> it = references.iterator(); it.hasNext();) {
            ServiceReference<?> ref = it.next();
            if (hidden(ref, asking) || (askerIsDepartment && forbiddenToDepartments(ref))) {
                it.remove();
            }
        }
    }

    @Override
    public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerInfo>> listeners) {
        ServiceReference<?> ref = event.getServiceReference();
        for (Iterator<BundleContext> it = listeners.keySet().iterator(); it.hasNext();) {
            BundleContext c = it.next();
            Bundle b;
            try {
                b = c.getBundle();
            } catch (IllegalStateException e) {
                continue;
            }
            if (hidden(ref, b) || (b != null && ModuleGate.header(b) != null && forbiddenToDepartments(ref))) {
                it.remove();
            }
        }
    }

    private static boolean forbiddenToDepartments(ServiceReference<?> ref) {
        Bundle owner = ref.getBundle();
        if (owner != null && ModuleGate.header(owner) != null) {
            return false;
        }
        for (String c : classes(ref)) {
            if (NOT_FOR_DEPARTMENTS.contains(c)) {
                return true;
            }
        }
        return false;
    }

    /** A department bundle's service is hidden from every other bundle unless it is allowed. */
    private boolean hidden(ServiceReference<?> ref, Bundle asking) {
        Bundle owner = ref.getBundle();
        if (owner == null || asking == null || owner.getBundleId() == asking.getBundleId() || asking.getBundleId() == 0) {
            return false;
        }
        if (ModuleGate.header(owner) == null) {
            return false;
        }
        Decision d = gate.decide(owner);
        String why = disallowed(ref, d);
        if (why == null) {
            return false;
        }
        Long id = (Long) ref.getProperty(Constants.SERVICE_ID);
        if (id != null && warned.add(id)) {
            String text = "service " + String.join(", ", classes(ref)) + describe(ref) + " ignored: " + why;
            LOG.warn("Bundle {}: {}", ModuleGate.describe(owner), text);
            onWarning.accept(owner.getBundleId(), text);
        }
        return true;
    }

    /** Null when other bundles may use this service of a department bundle, else why not. */
    static String disallowed(ServiceReference<?> ref, Decision d) {
        if (d == null || d.verdict() != Verdict.ACCEPTED) {
            return "the module is refused, so it contributes nothing";
        }
        String dept = d.department();
        for (String c : classes(ref)) {
            if (FOR_DEPARTMENT.contains(c)) {
                Object target = ref.getProperty(BackOffice.DEPARTMENT);
                if (!dept.equals(target)) {
                    return "it is registered for department '" + target + "' (" + BackOffice.DEPARTMENT
                            + "), but this bundle provides department '" + dept + "'";
                }
            } else if (DEVICE_TYPES.contains(c)) {
                Object type = ref.getProperty(DeviceDriver.TYPE);
                if (!(type instanceof String t) || !t.startsWith(dept + ".")) {
                    return "device type '" + type + "' is not this department's (its device types start with '" + dept + ".')";
                }
            } else {
                return c + " is not a service a department module may provide (allowed: BackOffice and RecordSource for "
                        + "its own department, DeviceDriver and DeviceSimulator for its own device types)";
            }
        }
        return null;
    }

    private static String[] classes(ServiceReference<?> ref) {
        Object o = ref.getProperty(Constants.OBJECTCLASS);
        return o instanceof String[] s ? s : new String[0];
    }

    private static String describe(ServiceReference<?> ref) {
        Object dept = ref.getProperty(BackOffice.DEPARTMENT);
        Object type = ref.getProperty(DeviceDriver.TYPE);
        return dept != null ? " (" + BackOffice.DEPARTMENT + "=" + dept + ")" : type != null ? " (" + DeviceDriver.TYPE + "=" + type + ")" : "";
    }
}
