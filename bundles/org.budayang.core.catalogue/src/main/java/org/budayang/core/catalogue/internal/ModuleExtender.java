package org.budayang.core.catalogue.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
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
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The module extender: loads the descriptor of every started bundle that carries the
 * {@code Budayang-Module} header, and drops it when the bundle stops. Also installs, upgrades
 * and removes department bundles for the admin API and shell.
 *
 * <p>State is an immutable snapshot replaced under a lock, so menu reads never block.
 */
@Component(service = { Catalogue.class, ModuleRegistry.class, ModuleAdmin.class, ModuleExtender.class }, immediate = true)
public final class ModuleExtender implements Catalogue, ModuleRegistry, ModuleAdmin, BundleTrackerCustomizer<Bundle> {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleExtender.class);
    static final int MAX_JAR_BYTES = 64 * 1024 * 1024;
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
    private final DescriptorParser parser = new DescriptorParser();
    private final BundleTracker<Bundle> tracker;
    private final Object lock = new Object();
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    @Activate
    public ModuleExtender(BundleContext context, @Reference FeaturesService features) {
        this.context = context;
        this.features = features;
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE, this);
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    Snapshot snapshot() {
        return snapshot;
    }

    // ---- extender ---------------------------------------------------------------------------

    @Override
    public Bundle addingBundle(Bundle bundle, BundleEvent event) {
        String department = bundle.getHeaders("").get(Modules.HEADER);
        if (department == null) {
            return null;
        }
        load(bundle, department.strip());
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
            Map<String, ModuleInfo> refused = new TreeMap<>(s.refused());
            changed |= refused.values().removeIf(i -> i.bundleId() == bundle.getBundleId());
            if (changed) {
                publish(active, refused);
                LOG.info("Module of bundle {} {} unloaded", bundle.getSymbolicName(), bundle.getVersion());
            }
        }
    }

    private void load(Bundle bundle, String department) {
        String file = Modules.DESCRIPTOR;
        ModuleDescriptor descriptor;
        try {
            URL entry = bundle.getEntry(file);
            if (entry == null) {
                refuse(bundle, department, "(file)", "descriptor not found in the bundle");
                return;
            }
            byte[] json;
            try (InputStream in = entry.openStream()) {
                json = in.readAllBytes();
            }
            descriptor = parser.parse(json, department);
        } catch (DescriptorException e) {
            refuse(bundle, department, e.field(), e.reason());
            return;
        } catch (IOException e) {
            refuse(bundle, department, "(file)", "unreadable: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            // A fault of ours must not take the extender down: refuse this one and go on.
            LOG.error("Could not read the descriptor of {}", bundle.getSymbolicName(), e);
            refuse(bundle, department, "(file)", "could not be read: " + e);
            return;
        }
        synchronized (lock) {
            Snapshot s = snapshot;
            String conflict = conflict(s, descriptor, bundle.getSymbolicName());
            if (conflict != null) {
                int colon = conflict.indexOf(": ");
                refuse(bundle, department, conflict.substring(0, colon), conflict.substring(colon + 2));
                return;
            }
            ModuleInfo info = new ModuleInfo(department, bundle.getSymbolicName(), bundle.getVersion().toString(),
                    bundle.getBundleId(), ModuleState.ACTIVE, null, descriptor.items().size());
            Map<String, Loaded> active = new TreeMap<>(s.active());
            active.put(department, new Loaded(info, descriptor));
            Map<String, ModuleInfo> refused = new TreeMap<>(s.refused());
            refused.remove(bundle.getSymbolicName());
            publish(active, refused);
        }
        LOG.info("Module {} loaded from bundle {} {} ({} items)", department, bundle.getSymbolicName(),
                bundle.getVersion(), descriptor.items().size());
    }

    /**
     * @return "field: reason" when the descriptor clashes with another bundle's module, else null
     */
    private static String conflict(Snapshot s, ModuleDescriptor d, String symbolicName) {
        String dept = d.department().code();
        Loaded same = s.active().get(dept);
        if (same != null && !same.info().bundle().equals(symbolicName)) {
            return "department.code: department '" + dept + "' is already provided by bundle "
                    + same.info().bundle() + " " + same.info().version() + " (id " + same.info().bundleId() + ")";
        }
        for (int i = 0; i < d.items().size(); i++) {
            Item mine = d.items().get(i);
            Item other = s.items().get(mine.code());
            if (other != null && !other.department().equals(dept)) {
                return "items[" + i + "].code: item code '" + mine.code() + "' is already provided by department '"
                        + other.department() + "'";
            }
        }
        return null;
    }

    private void refuse(Bundle bundle, String department, String field, String reason) {
        ModuleInfo info = refused(department, bundle.getSymbolicName(), bundle.getVersion().toString(),
                bundle.getBundleId(), field, reason);
        synchronized (lock) {
            Snapshot s = snapshot;
            Map<String, ModuleInfo> refused = new TreeMap<>(s.refused());
            refused.put(bundle.getSymbolicName(), info);
            publish(new TreeMap<>(s.active()), refused);
        }
        LOG.warn("Module refused: {}", info.reason());
    }

    static ModuleInfo refused(String department, String bundle, String version, long id, String field, String reason) {
        String where = "bundle " + bundle + " " + version + (id >= 0 ? " (id " + id + ")" : " (upload)");
        String text = where + ", file " + Modules.DESCRIPTOR + ", field " + field + ": " + reason;
        return new ModuleInfo(department, bundle, version, id, ModuleState.REFUSED, text, 0);
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
        s.active().values().forEach(l -> out.add(l.info()));
        out.addAll(s.refused().values());
        return out;
    }

    @Override
    public Optional<ModuleInfo> module(String department) {
        Snapshot s = snapshot;
        Loaded l = s.active().get(department);
        if (l != null) {
            return Optional.of(l.info());
        }
        return s.refused().values().stream().filter(i -> department.equals(i.department())).findFirst();
    }

    // ---- ModuleAdmin -----------------------------------------------------------------------

    @Override
    public ModuleInfo install(InputStream jar) throws ModuleException {
        byte[] bytes;
        try {
            bytes = jar.readNBytes(MAX_JAR_BYTES + 1);
        } catch (IOException e) {
            throw new ModuleException("could not read the upload: " + e.getMessage());
        }
        if (bytes.length > MAX_JAR_BYTES) {
            throw new ModuleException("the jar is larger than " + (MAX_JAR_BYTES >> 20) + " MiB");
        }
        Upload up = inspect(bytes);
        // Check the descriptor before touching the running bundle, so a bad upgrade leaves the
        // old version serving.
        ModuleDescriptor descriptor;
        try {
            if (up.descriptor() == null) {
                throw new DescriptorException("(file)", "descriptor not found in the bundle");
            }
            descriptor = parser.parse(up.descriptor(), up.department());
            String conflict = conflict(snapshot, descriptor, up.symbolicName());
            if (conflict != null) {
                int colon = conflict.indexOf(": ");
                throw new DescriptorException(conflict.substring(0, colon), conflict.substring(colon + 2));
            }
        } catch (DescriptorException e) {
            ModuleInfo info = refused(up.department(), up.symbolicName(), up.version(), -1, e.field(), e.reason());
            synchronized (lock) {
                Snapshot s = snapshot;
                Map<String, ModuleInfo> refused = new TreeMap<>(s.refused());
                // Never hide the refusal of an installed bundle behind an upload's.
                ModuleInfo previous = refused.get(up.symbolicName());
                if (previous == null || previous.bundleId() < 0) {
                    refused.put(up.symbolicName(), info);
                    publish(new TreeMap<>(s.active()), refused);
                }
            }
            LOG.warn("Upload refused: {}", info.reason());
            throw new ModuleException(info.reason(), info, null);
        }
        Bundle existing = null;
        for (Bundle b : context.getBundles()) {
            if (up.symbolicName().equals(b.getSymbolicName())) {
                existing = b;
                break;
            }
        }
        Bundle bundle;
        try {
            if (existing != null) {
                LOG.info("Upgrading {} {} to {}", up.symbolicName(), existing.getVersion(), up.version());
                existing.update(new ByteArrayInputStream(bytes));
                bundle = existing;
            } else {
                bundle = context.installBundle("budayang:upload/" + up.symbolicName(), new ByteArrayInputStream(bytes));
            }
        } catch (BundleException e) {
            throw new ModuleException("the framework refused the bundle: " + e.getMessage());
        }
        try {
            bundle.start();
        } catch (BundleException e) {
            String msg = "bundle " + up.symbolicName() + " " + up.version() + " cannot start: " + e.getMessage();
            if (existing == null) {
                try {
                    bundle.uninstall();
                } catch (BundleException ignored) {
                    LOG.warn("Could not uninstall unstartable upload {}", up.symbolicName());
                }
            }
            throw new ModuleException(msg);
        }
        // The tracker ran synchronously in start(); the module is loaded or refused by now.
        long id = bundle.getBundleId();
        return modules().stream().filter(i -> i.bundleId() == id).findFirst()
                .orElseThrow(() -> new ModuleException("bundle " + up.symbolicName() + " started but was not loaded"));
    }

    /** What an uploaded jar says of itself; {@code descriptor} is null when the jar has none. */
    record Upload(String symbolicName, String version, String department, byte[] descriptor) {
    }

    static Upload inspect(byte[] bytes) throws ModuleException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(bytes))) {
            Manifest mf = in.getManifest();
            if (mf == null) {
                throw new ModuleException("not a jar with a manifest");
            }
            String bsn = mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null || bsn.isBlank()) {
                throw new ModuleException("not an OSGi bundle: the manifest has no Bundle-SymbolicName");
            }
            bsn = bsn.split(";")[0].strip();
            String version = mf.getMainAttributes().getValue(Constants.BUNDLE_VERSION);
            version = version == null ? "0.0.0" : version.strip();
            String dept = mf.getMainAttributes().getValue(Modules.HEADER);
            if (dept == null || dept.isBlank()) {
                throw new ModuleException("bundle " + bsn + " is not a department module: the manifest has no "
                        + Modules.HEADER + " header");
            }
            byte[] descriptor = null;
            for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                if (Modules.DESCRIPTOR.equals(e.getName())) {
                    descriptor = in.readAllBytes();
                }
            }
            return new Upload(bsn, version, dept.strip(), descriptor);
        } catch (IOException e) {
            throw new ModuleException("not a readable jar: " + e.getMessage());
        }
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
                publish(new TreeMap<>(s.active()), new TreeMap<>(refused));
            }
            return changed;
        }
    }

    private static Path deployedFile(String location) {
        String base = System.getProperty("karaf.base");
        if (base == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            Path file = Path.of(URI.create(location)).toAbsolutePath().normalize();
            Path deploy = Path.of(base, "deploy").toAbsolutePath().normalize();
            return file.startsWith(deploy) ? file : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
