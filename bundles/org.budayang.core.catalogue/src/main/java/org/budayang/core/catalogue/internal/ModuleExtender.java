package org.budayang.core.catalogue.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.apache.felix.fileinstall.ArtifactInstaller;
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
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.startlevel.BundleStartLevel;
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
    /** One install at a time, whichever route: the check and the install it allows stay together. */
    private final Object installs = new Object();
    /** The refusal listed for each deploy/ file whose jar installed nothing. */
    private final Map<Path, ModuleInfo> deployRefusals = new ConcurrentHashMap<>();
    /**
     * The start level fileinstall gives deploy/ bundles ({@code felix.fileinstall.start.level} in
     * etc/org.apache.felix.fileinstall-deploy.cfg, set by karaf-distro): after the module gate.
     */
    static final int DEPLOY_START_LEVEL = 90;

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
        // deploy/ jars come through the same check as uploads (fileinstall scans only from start level 90, after this).
        hooks.add(context.registerService(ArtifactInstaller.class, new DeployInstaller(this),
                new java.util.Hashtable<>(Map.of(Constants.SERVICE_RANKING, DeployInstaller.RANKING))));
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
        synchronized (installs) {
            JarReader.Facts f = JarReader.read(file, gate.limits());
            if (f.department() != null && !mayDeploy.test(f.department())) {
                throw new ModuleException(ModuleException.Kind.FORBIDDEN, "may not deploy department '" + f.department() + "'");
            }
            Bundle existing = bySymbolicName(f.symbolicName());
            Path owner = existing == null ? null : deployedFile(existing.getLocation());
            if (owner != null && ModuleGate.header(existing) != null) {
                // Its file owns it: an upgrade here would be taken away with the file, and replaced by it after a restart.
                String dept = ModuleGate.header(existing);
                String why = "module '" + dept + "' (bundle " + ModuleGate.describe(existing) + ") was installed from "
                        + shown(owner) + ", which owns it: copy the new jar over " + shown(owner) + " to upgrade it, or delete "
                        + "that file (or DELETE /api/v1/modules/" + dept + ") and then upload it";
                LOG.warn("Upload refused: {}", why);
                throw new ModuleException(ModuleException.Kind.FAILED, why);
            }
            // Everything is checked before the running bundle is touched, so a refused upgrade
            // leaves the old version serving and a refused jar installs nothing.
            ModuleGate.Decision d = gate.decideUpload(f, existing);
            if (!d.accepted()) {
                publishRefusal(d.info());
                LOG.warn("Upload refused: {}", d.info().reason());
                throw new ModuleException(ModuleException.Kind.REFUSED, d.info().reason(), d.info(), null);
            }
            Bundle bundle = installChecked(file, f, d, existing, ModuleGate.UPLOAD_LOCATION + f.symbolicName(), 0);
            long id = bundle.getBundleId();
            return modules().stream().filter(i -> i.bundleId() == id).findFirst()
                    .orElseThrow(() -> new ModuleException("bundle " + f.symbolicName() + " started but was not loaded"));
        }
    }

    /**
     * Installs (or updates in place) a jar the gate accepted and starts it; the tracker loads it
     * synchronously in start(). A new bundle that cannot start is uninstalled again.
     */
    private Bundle installChecked(Path file, JarReader.Facts f, ModuleGate.Decision d, Bundle existing, String location,
            int startLevel) throws ModuleException {
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
                bundle = context.installBundle(location, in);
                gate.seed(bundle, d);
                if (startLevel > 0) {
                    bundle.adapt(BundleStartLevel.class).setStartLevel(startLevel);
                }
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
                    LOG.warn("Could not uninstall unstartable bundle {}", f.symbolicName());
                }
            }
            throw new ModuleException(msg);
        }
        return bundle;
    }

    private Bundle bySymbolicName(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    // ---- deploy/ (fileinstall, through DeployInstaller) ----------------------------------------

    /**
     * A jar in deploy/ appeared or changed (also once per file after a restart). It is checked like
     * an upload before anything is touched: a refused jar installs nothing and never replaces the
     * revision that runs; the refusal is listed and logged. The file owns what it installed.
     */
    void deployed(File artifact) {
        Path path = artifact.toPath().toAbsolutePath().normalize();
        Path copy = null;
        synchronized (installs) {
            Bundle target = atFile(path);
            JarReader.Facts f = null;
            try {
                // A copy, so that the jar installed is the jar checked whatever happens to the file meanwhile.
                if (Files.size(path) == 0) {
                    throw new ModuleException(ModuleException.Kind.INVALID, "the file is empty");
                }
                copy = Files.createTempFile("budayang-deploy-", ".jar");
                try (InputStream in = Files.newInputStream(path)) {
                    JarReader.copyBounded(in, copy, gate.limits().maxJarBytes());
                }
                String digest = digest(copy);
                if (target != null && upToDate(target, digest, path)) {
                    // Also a file put back to what runs after a refused one.
                    dropDeployRefusal(path);
                    return;
                }
                f = JarReader.read(copy, gate.limits());
                String refusal = deployRefusal(f, target, path);
                ModuleGate.Decision d = refusal == null ? gate.decideUpload(f, target != null ? target : bySymbolicName(f.symbolicName()))
                        : null;
                if (d == null || !d.accepted()) {
                    ModuleInfo info = d != null ? d.info()
                            : ModuleGate.refusal(f.department() == null ? "" : f.department(), f.symbolicName(), f.version(), -1, null, refusal);
                    refuseDeployed(path, ModuleGate.from(info, shown(path)), target);
                    return;
                }
                Bundle b = installChecked(copy, f, d, target, artifact.toURI().toString(), DEPLOY_START_LEVEL);
                storeDigest(b, digest);
                dropDeployRefusal(path);
                LOG.info("Module {} {} deployed from {}", f.department(), f.version(), shown(path));
            } catch (ModuleException e) {
                ModuleInfo info = f == null
                        ? new ModuleInfo("", shown(path), "", -1, ModuleState.REFUSED, shown(path) + ": " + e.getMessage(), 0)
                        : ModuleGate.from(ModuleGate.refusal(f.department() == null ? "" : f.department(), f.symbolicName(),
                                f.version(), -1, null, e.getMessage()), shown(path));
                refuseDeployed(path, info, target);
            } catch (IOException | RuntimeException e) {
                LOG.error("Could not deploy {}", shown(path), e);
            } finally {
                if (copy != null) {
                    try {
                        Files.deleteIfExists(copy);
                    } catch (IOException ignored) {
                        // Karaf's data/tmp is cleaned at start.
                    }
                }
            }
        }
    }

    /**
     * Why deploy/ does not take this jar before the gate is asked, or null: not a department module,
     * another symbolic name over a file that holds a bundle, a bundle another route owns.
     */
    private String deployRefusal(JarReader.Facts f, Bundle target, Path path) {
        if (f.department() == null) {
            return "not a department module (no " + Modules.HEADER + " header); deploy/ and uploads take department modules only";
        }
        if (target != null && !f.symbolicName().equals(target.getSymbolicName())) {
            return shown(path) + " holds bundle " + ModuleGate.describe(target) + ": a jar with another symbolic name is "
                    + "another module, so it needs its own file (delete this one first to replace that module)";
        }
        Bundle other = target == null ? bySymbolicName(f.symbolicName()) : null;
        if (other == null || ModuleGate.header(other) == null) {
            return null; // A platform bundle's name: the gate says so.
        }
        String dept = ModuleGate.header(other);
        String location = other.getLocation();
        Path file = deployedFile(location);
        String by;
        if (location.startsWith(ModuleGate.UPLOAD_LOCATION)) {
            by = "was uploaded (POST /api/v1/modules), which owns it: upgrade it with another upload, or remove it first "
                    + "(DELETE /api/v1/modules/" + dept + ")";
        } else if (file != null) {
            by = "was installed from " + shown(file) + ", which owns it: copy this jar over " + shown(file) + " instead";
        } else {
            by = "was installed by a Karaf feature (" + location + "), which owns it: upgrade it with an upload "
                    + "(POST /api/v1/modules), or remove it first (DELETE /api/v1/modules/" + dept + ")";
        }
        return "bundle " + ModuleGate.describe(other) + " " + by;
    }

    private void refuseDeployed(Path path, ModuleInfo info, Bundle target) {
        ModuleInfo previous = deployRefusals.put(path, info);
        if (previous != null && !previous.bundle().equals(info.bundle())) {
            unlistRefusal(previous);
        }
        publishRefusal(info);
        LOG.warn("Deploy refused: {}{}", info.reason(), target != null && target.getState() == Bundle.ACTIVE
                ? " (" + ModuleGate.describe(target) + " keeps serving)" : "");
    }

    private void dropDeployRefusal(Path path) {
        ModuleInfo previous = deployRefusals.remove(path);
        if (previous != null) {
            unlistRefusal(previous);
        }
    }

    private void unlistRefusal(ModuleInfo info) {
        synchronized (lock) {
            Snapshot s = snapshot;
            Map<String, ModuleInfo> refused = new LinkedHashMap<>(s.refused());
            if (refused.values().remove(info)) {
                publish(new TreeMap<>(s.active()), refused);
            }
        }
    }

    /** A deploy/ file was deleted: what it installed goes, and so does its refusal. */
    void undeployed(File artifact) {
        Path path = artifact.toPath().toAbsolutePath().normalize();
        synchronized (installs) {
            dropDeployRefusal(path);
            Bundle target = atFile(path);
            if (target == null) {
                return;
            }
            LOG.info("Removing bundle {}: its file {} was deleted", ModuleGate.describe(target), shown(path));
            File digest = digestFile(target);
            try {
                target.uninstall();
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("Could not uninstall bundle {} of deleted {}", ModuleGate.describe(target), shown(path), e);
            }
            if (digest != null && !digest.delete() && digest.exists()) {
                LOG.debug("Could not delete {}", digest);
            }
        }
    }

    /**
     * The bundle installed from this deploy/ file, or null; also one Karaf's wrap deployer made of
     * it before this installer took every jar ({@code wrap:file:…$…}), so that deleting the file removes it.
     */
    private Bundle atFile(Path path) {
        for (Bundle b : context.getBundles()) {
            String location = b.getLocation();
            if (location.startsWith("wrap:")) {
                int options = location.indexOf('$');
                location = location.substring("wrap:".length(), options < 0 ? location.length() : options);
            }
            Path f = deployedFile(location);
            if (f != null && f.toAbsolutePath().normalize().equals(path)) {
                return b;
            }
        }
        return null;
    }

    /**
     * Whether the bundle already runs this jar (a restart: fileinstall reports every file once). A
     * bundle deployed before this record existed counts as current unless the file is newer.
     */
    private boolean upToDate(Bundle target, String digest, Path path) throws IOException {
        File record = digestFile(target);
        if (record != null && record.isFile()) {
            return digest.equals(Files.readString(record.toPath()).strip());
        }
        if (target.getLastModified() >= Files.getLastModifiedTime(path).toMillis()) {
            storeDigest(target, digest);
            return true;
        }
        return false;
    }

    private File digestFile(Bundle b) {
        return context.getDataFile("deployed-" + b.getBundleId() + ".sha256");
    }

    private void storeDigest(Bundle b, String digest) {
        File record = digestFile(b);
        if (record == null) {
            return;
        }
        try {
            Files.writeString(record.toPath(), digest);
        } catch (IOException e) {
            LOG.warn("Could not record what bundle {} runs; it is checked again after a restart", ModuleGate.describe(b), e);
        }
    }

    private static String digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How a deploy/ file is named in reasons: {@code deploy/<name>}. */
    static String shown(Path file) {
        return "deploy/" + file.getFileName();
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
        // A refused deploy/ jar goes with its file, or it would be listed again after a restart.
        for (Map.Entry<Path, ModuleInfo> e : Map.copyOf(deployRefusals).entrySet()) {
            if (department.equals(e.getValue().department()) && s.refused().containsValue(e.getValue())) {
                try {
                    Files.deleteIfExists(e.getKey());
                    droppedUpload = true;
                } catch (IOException ex) {
                    throw new ModuleException("could not delete " + shown(e.getKey()) + ": " + ex.getMessage());
                }
            }
        }
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
        return ModuleGate.inDeployFolder(location) ? Path.of(URI.create(location)).toAbsolutePath().normalize() : null;
    }
}
