package org.budayang.core.catalogue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.FieldError;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.catalogue.Question;
import org.budayang.api.module.ModuleAdmin;
import org.budayang.api.module.ModuleException;
import org.budayang.api.module.ModuleInfo;
import org.budayang.api.module.ModuleRegistry;
import org.budayang.api.module.ModuleState;
import org.budayang.api.module.Modules;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The module extender: loads the descriptor of every started bundle that carries the
 * {@code Budayang-Module} header, and drops it when the bundle stops. Also installs, upgrades
 * and removes department bundles for the admin API and shell; {@link ModuleGate} decides which
 * department code may run and {@link ModuleHooks} makes that hold for every way of installing.
 *
 * <p>State is an immutable snapshot replaced under a lock, so menu reads never block.
 */
@Component(service = { Catalogue.class, ModuleRegistry.class, ModuleAdmin.class, ModuleExtender.class }, immediate = true,
        configurationPid = "org.budayang.modules")
@Designate(ocd = ModulesConfig.class)
public final class ModuleExtender implements Catalogue, ModuleRegistry, ModuleAdmin, BundleTrackerCustomizer<Bundle> {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleExtender.class);
    private static final ObjectMapper FORM_READER = new ObjectMapper();

    /** One loaded module. */
    record Loaded(ModuleInfo info, ModuleDescriptor descriptor) {
    }

    /** Everything the extender knows, replaced as a whole on each change. */
    record Snapshot(long revision, Map<String, Loaded> active, Map<String, ModuleInfo> refused,
            Map<String, Item> items) {
        static final Snapshot EMPTY = new Snapshot(0, Map.of(), Map.of(), Map.of());

        List<ModuleDescriptor> descriptors() {
            List<ModuleDescriptor> out = new ArrayList<>();
            for (Loaded l : active.values()) {
                out.add(l.descriptor());
            }
            return out;
        }
    }

    private final BundleContext context;
    private final FeaturesService features;
    private final ModuleGate gate;
    private final BundleTracker<Bundle> tracker;
    private final List<ServiceRegistration<?>> hooks = new ArrayList<>();
    private final SynchronousBundleListener uninstalls = this::bundleChanged;
    private final Object lock = new Object();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile int refusedUploads = 20;
    private volatile HallStore halls;

    @Activate
    public ModuleExtender(BundleContext context, @Reference FeaturesService features, ModulesConfig config) {
        this.context = context;
        this.features = features;
        this.gate = new ModuleGate(context, this::claims, trust(config));
        modified(config);
        // The hooks first: from now on no refused department bundle resolves, whoever installs it.
        ModuleHooks h = new ModuleHooks(gate, this::refusedWhileInstalled, this::warn);
        hooks.add(context.registerService(ResolverHookFactory.class, h, null));
        hooks.add(context.registerService(new String[] { FindHook.class.getName(), EventListenerHook.class.getName() }, h, null));
        context.addBundleListener(uninstalls);
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
        tracker.open();
        if (gate.trust().required()) {
            LOG.info("Department modules must be signed by a certificate trusted for their department ({}<department>.pem)",
                    gate.trust().file("x").getParent() + "/");
        } else {
            LOG.warn("Unsigned department modules are accepted (signature.required=false): a demo hall setting, never for a real hall");
        }
    }

    @Modified
    void modified(ModulesConfig config) {
        gate.configure(new JarReader.Limits(config.max_jar_bytes(), config.max_entries(), config.max_unzipped_bytes(),
                config.max_descriptor_bytes()), trust(config));
        refusedUploads = Math.max(1, config.refused_history());
    }

    private static ModuleTrust trust(ModulesConfig config) {
        String dir = config.trust_dir();
        if (dir == null || dir.isBlank()) {
            dir = System.getProperty("karaf.etc", "etc") + "/budayang/module-trust";
        }
        return new ModuleTrust(config.signature_required(), Path.of(dir));
    }

    @Deactivate
    void deactivate() {
        tracker.close();
        context.removeBundleListener(uninstalls);
        for (ServiceRegistration<?> r : hooks) {
            try {
                r.unregister();
            } catch (IllegalStateException ignored) {
                // Already gone with the bundle.
            }
        }
    }

    Snapshot snapshot() {
        return snapshot;
    }

    private List<ModuleGate.Claim> claims() {
        List<ModuleGate.Claim> out = new ArrayList<>();
        for (Loaded l : snapshot.active().values()) {
            ModuleInfo i = l.info();
            out.add(new ModuleGate.Claim(i.bundleId(), i.bundle(), i.version(), i.department(), l.descriptor().items()));
        }
        return out;
    }

    // ---- extender ---------------------------------------------------------------------------

    @Override
    public Bundle addingBundle(Bundle bundle, BundleEvent event) {
        String department = ModuleGate.header(bundle);
        if (department == null) {
            return null;
        }
        load(bundle, department);
        return bundle;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, Bundle object) {
        // Only ACTIVE is tracked; nothing to do between start and stop.
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, Bundle object) {
        synchronized (lock) {
            Snapshot s = snapshot;
            Map<String, Loaded> active = new TreeMap<>(s.active());
            boolean changed = active.values().removeIf(l -> l.info().bundleId() == bundle.getBundleId());
            Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
            changed |= refused.values().removeIf(i -> i.bundleId() == bundle.getBundleId());
            if (changed) {
                publish(active, refused);
                LOG.info("Module of bundle {} {} unloaded", bundle.getSymbolicName(), bundle.getVersion());
            }
        }
    }

    /** A refused bundle that never started stays listed until it is uninstalled. */
    private void bundleChanged(BundleEvent e) {
        if (e.getType() == BundleEvent.UNINSTALLED) {
            long id = e.getBundle().getBundleId();
            gate.forget(id);
            synchronized (lock) {
                Snapshot s = snapshot;
                Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
                if (refused.values().removeIf(i -> i.bundleId() == id)) {
                    publish(new TreeMap<>(s.active()), refused);
                }
            }
        }
    }

    private void load(Bundle bundle, String department) {
        ModuleGate.Decision d = gate.decide(bundle);
        if (!d.accepted()) {
            // Resolved before the hooks were there (the first boot): its services stay hidden.
            publishRefusal(d.info());
            return;
        }
        ModuleDescriptor descriptor = d.descriptor();
        synchronized (lock) {
            Snapshot s = snapshot;
            // Again under the lock, against what is loaded now: two bundles decided at once both passed.
            String[] clash = ModuleGate.clash(department, descriptor.items(), bundle.getSymbolicName(), bundle.getBundleId(),
                    -1, claims());
            if (clash != null) {
                ModuleInfo info = ModuleGate.refusal(department, bundle.getSymbolicName(), bundle.getVersion().toString(),
                        bundle.getBundleId(), clash[0], clash[1]);
                gate.record(new ModuleGate.Decision(d.bundleId(), d.stamp(), ModuleGate.Verdict.REFUSED, department, null, info));
                publishRefusal(info);
                LOG.warn("Module refused: {}", info.reason());
                return;
            }
            Map<String, Loaded> active = new TreeMap<>(s.active());
            active.put(department, new Loaded(d.info(), descriptor));
            Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
            refused.remove(bundle.getSymbolicName());
            publish(active, refused);
        }
        LOG.info("Module {} loaded from bundle {} {} ({} items{})", department, bundle.getSymbolicName(),
                bundle.getVersion(), descriptor.items().size(), d.info().signer() == null ? ", unsigned" : ", signed by " + d.info().signer());
    }

    private void refusedWhileInstalled(ModuleGate.Decision d) {
        if (d.info() != null) {
            publishRefusal(d.info());
        }
    }

    /** Lists a refusal; at most {@code refused.history} refused uploads are kept, the newest. */
    private void publishRefusal(ModuleInfo info) {
        synchronized (lock) {
            Snapshot s = snapshot;
            Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
            ModuleInfo previous = refused.get(info.bundle());
            if (info.equals(previous)) {
                return;
            }
            // Never hide the refusal of an installed bundle behind an upload's.
            if (info.bundleId() < 0 && previous != null && previous.bundleId() >= 0) {
                return;
            }
            refused.remove(info.bundle());
            refused.put(info.bundle(), info);
            List<String> uploads = new ArrayList<>();
            refused.forEach((k, v) -> {
                if (v.bundleId() < 0) {
                    uploads.add(k);
                }
            });
            for (int i = 0; i < uploads.size() - refusedUploads; i++) {
                refused.remove(uploads.get(i));
            }
            publish(new TreeMap<>(s.active()), refused);
        }
    }

    /** A service the hooks ignored: shown on the module, once. */
    private void warn(long bundleId, String text) {
        ModuleGate.Decision d = gate.known(bundleId);
        if (d != null && d.info() != null) {
            gate.record(new ModuleGate.Decision(d.bundleId(), d.stamp(), d.verdict(), d.department(), d.descriptor(),
                    d.info().withWarning(text)));
        }
        synchronized (lock) {
            Snapshot s = snapshot;
            Map<String, Loaded> active = new TreeMap<>(s.active());
            boolean changed = false;
            for (Map.Entry<String, Loaded> e : active.entrySet()) {
                if (e.getValue().info().bundleId() == bundleId) {
                    e.setValue(new Loaded(e.getValue().info().withWarning(text), e.getValue().descriptor()));
                    changed = true;
                }
            }
            Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
            for (Map.Entry<String, ModuleInfo> e : refused.entrySet()) {
                if (e.getValue().bundleId() == bundleId) {
                    e.setValue(e.getValue().withWarning(text));
                    changed = true;
                }
            }
            if (changed) {
                publish(active, refused);
            }
        }
    }

    /** Must hold {@link #lock}. */
    private void publish(Map<String, Loaded> active, Map<String, ModuleInfo> refused) {
        Map<String, Item> items = new HashMap<>();
        for (Loaded l : active.values()) {
            for (Item i : l.descriptor().items()) {
                items.put(i.code(), i);
            }
        }
        snapshot = new Snapshot(snapshot.revision() + 1, Collections.unmodifiableMap(active),
                Collections.unmodifiableMap(refused), Map.copyOf(items));
    }

    // ---- Catalogue / ModuleRegistry ---------------------------------------------------------

    @Override
    public List<Department> departments() {
        List<Department> out = new ArrayList<>();
        for (Loaded l : snapshot.active().values()) {
            out.add(l.descriptor().department());
        }
        return out;
    }

    @Override
    public List<Item> items(String department) {
        Loaded l = snapshot.active().get(department);
        return l == null ? List.of() : l.descriptor().items();
    }

    @Override
    public Optional<Item> item(String code) {
        return Optional.ofNullable(snapshot.items().get(code));
    }

    @Override
    public List<Question> questions(String item) {
        Item i = snapshot.items().get(item);
        if (i == null) {
            return List.of();
        }
        Loaded l = snapshot.active().get(i.department());
        return l == null ? List.of() : l.descriptor().questions().getOrDefault(item, List.of());
    }

    @Override
    public Optional<String> formSchema(String item) {
        return form(item).map(FormSchema::text);
    }

    @Override
    public List<FieldError> validateForm(String item, String formJson) {
        Optional<FormSchema> schema = form(item);
        if (schema.isEmpty()) {
            return List.of();
        }
        try {
            return schema.get().validate(FORM_READER.readTree(formJson));
        } catch (IOException e) {
            return List.of(new FieldError("(form)",
                    new LocalizedText("表单不是有效的 JSON", "the form is not valid JSON")));
        }
    }

    /** Optional: halls need the database, the gate must not wait for it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setHalls(HallStore h) {
        halls = h;
    }

    void unsetHalls(HallStore h) {
        if (halls == h) {
            halls = null;
        }
    }

    /**
     * A required capability that no driver provides and no terminal declares is only a warning,
     * as of now: the driver or the terminal may come later, and the item shows from then on.
     */
    private ModuleInfo withCapabilityWarnings(Loaded l) {
        HallStore h = halls;
        if (h == null) {
            return l.info();
        }
        Set<String> known = h.knownCapabilities();
        ModuleInfo info = l.info();
        for (Item i : l.descriptor().items()) {
            for (String c : i.requires()) {
                if (!known.contains(c)) {
                    info = info.withWarning("item " + i.code() + " requires '" + c + "', which no device driver provides and "
                            + "no terminal declares: no terminal offers the item until one does");
                }
            }
        }
        return info;
    }

    private Optional<FormSchema> form(String item) {
        Snapshot s = snapshot;
        Item i = s.items().get(item);
        Loaded l = i == null ? null : s.active().get(i.department());
        return l == null ? Optional.empty() : Optional.ofNullable(l.descriptor().forms().get(item));
    }

    @Override
    public List<ModuleInfo> modules() {
        Snapshot s = snapshot;
        List<ModuleInfo> out = new ArrayList<>();
        s.active().values().forEach(l -> out.add(withCapabilityWarnings(l)));
        out.addAll(s.refused().values());
        return out;
    }

    @Override
    public Optional<ModuleInfo> module(String department) {
        Snapshot s = snapshot;
        Loaded l = s.active().get(department);
        if (l != null) {
            return Optional.of(withCapabilityWarnings(l));
        }
        return s.refused().values().stream().filter(i -> department.equals(i.department())).findFirst();
    }

    // ---- ModuleAdmin -----------------------------------------------------------------------

    @Override
    public long maxJarBytes() {
        return gate.limits().maxJarBytes();
    }

    @Override
    public ModuleInfo install(InputStream jar, Predicate<String> mayDeploy) throws ModuleException {
        Path file = null;
        try {
            file = Files.createTempFile("budayang-upload-", ".jar");
            JarReader.copyBounded(jar, file, gate.limits().maxJarBytes());
            return install(file, mayDeploy);
        } catch (IOException e) {
            throw new ModuleException(ModuleException.Kind.FAILED, "could not store the upload: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // Karaf's data/tmp is cleaned at start.
                }
            }
        }
    }

    private ModuleInfo install(Path file, Predicate<String> mayDeploy) throws ModuleException {
        JarReader.Facts f = JarReader.read(file, gate.limits());
        if (f.department() != null && !mayDeploy.test(f.department())) {
            throw new ModuleException(ModuleException.Kind.FORBIDDEN, "may not deploy department '" + f.department() + "'");
        }
        Bundle existing = null;
        for (Bundle b : context.getBundles()) {
            if (f.symbolicName().equals(b.getSymbolicName())) {
                existing = b;
                break;
            }
        }
        // Everything is checked before the running bundle is touched, so a refused upgrade
        // leaves the old version serving and a refused jar installs nothing.
        ModuleGate.Decision d = gate.decideUpload(f, existing);
        if (!d.accepted()) {
            publishRefusal(d.info());
            LOG.warn("Upload refused: {}", d.info().reason());
            throw new ModuleException(ModuleException.Kind.REFUSED, d.info().reason(), d.info(), null);
        }
        Bundle bundle;
        try (InputStream in = Files.newInputStream(file)) {
            if (existing != null) {
                LOG.info("Upgrading {} {} to {}", f.symbolicName(), existing.getVersion(), f.version());
                gate.expect(existing, d);
                try {
                    existing.update(in);
                } finally {
                    gate.unexpect(existing);
                }
                bundle = existing;
            } else {
                bundle = context.installBundle(ModuleGate.UPLOAD_LOCATION + f.symbolicName(), in);
                gate.seed(bundle, d);
            }
        } catch (BundleException | IOException e) {
            throw new ModuleException("the framework refused the bundle: " + e.getMessage());
        }
        try {
            bundle.start();
        } catch (BundleException e) {
            String msg = "bundle " + f.symbolicName() + " " + f.version() + " cannot start: " + e.getMessage();
            if (existing == null) {
                try {
                    bundle.uninstall();
                } catch (BundleException ignored) {
                    LOG.warn("Could not uninstall unstartable upload {}", f.symbolicName());
                }
            }
            throw new ModuleException(msg);
        }
        // The tracker ran synchronously in start(); the module is loaded or refused by now.
        long id = bundle.getBundleId();
        return modules().stream().filter(i -> i.bundleId() == id).findFirst()
                .orElseThrow(() -> new ModuleException("bundle " + f.symbolicName() + " started but was not loaded"));
    }

    @Override
    public boolean remove(String department) throws ModuleException {
        Snapshot s = snapshot;
        long id = -1;
        Loaded l = s.active().get(department);
        if (l != null) {
            id = l.info().bundleId();
        } else {
            for (ModuleInfo i : s.refused().values()) {
                if (department.equals(i.department()) && i.bundleId() >= 0) {
                    id = i.bundleId();
                }
            }
        }
        boolean droppedUpload = dropRefusedUploads(department);
        if (id < 0) {
            return droppedUpload;
        }
        Bundle bundle = context.getBundle(id);
        if (bundle == null) {
            return droppedUpload;
        }
        String location = bundle.getLocation();
        try {
            // A bundle that a feature installed goes with its feature; otherwise Karaf would put it
            // back on the next feature operation.
            for (Feature f : features.listInstalledFeatures()) {
                for (BundleInfo bi : f.getBundles()) {
                    if (location.equals(bi.getLocation())) {
                        LOG.info("Removing module {} by uninstalling feature {}/{}", department, f.getName(), f.getVersion());
                        features.uninstallFeature(f.getName(), f.getVersion(),
                                EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
                        return true;
                    }
                }
            }
            Path deployed = deployedFile(location);
            if (deployed != null) {
                // Fileinstall owns bundles from deploy/: removing the file is how it lets go.
                Files.deleteIfExists(deployed);
                long until = System.nanoTime() + 10_000_000_000L;
                while (context.getBundle(id) != null && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                if (context.getBundle(id) != null) {
                    throw new ModuleException("deleted " + deployed + " but the bundle is still installed");
                }
                return true;
            }
            bundle.uninstall();
            return true;
        } catch (ModuleException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModuleException("interrupted while removing " + department);
        } catch (Exception e) {
            throw new ModuleException("could not remove module " + department + ": " + e.getMessage());
        }
    }

    private boolean dropRefusedUploads(String department) {
        synchronized (lock) {
            Snapshot s = snapshot;
            Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
            boolean changed = refused.values().removeIf(i -> i.bundleId() < 0 && department.equals(i.department()));
            if (changed) {
                publish(new TreeMap<>(s.active()), refused);
            }
            return changed;
        }
    }

    private static Path deployedFile(String location) {
        return ModuleGate.inDeployFolder(location) ? Path.of(URI.create(location)) : null;
    }
}
