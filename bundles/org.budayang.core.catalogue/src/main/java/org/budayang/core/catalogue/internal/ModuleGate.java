package org.budayang.core.catalogue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.budayang.api.catalogue.Item;
import org.budayang.api.module.ModuleException;
import org.budayang.api.module.ModuleException.Kind;
import org.budayang.api.module.ModuleInfo;
import org.budayang.api.module.ModuleState;
import org.budayang.api.module.Modules;
import org.budayang.core.catalogue.internal.JarReader.Facts;
import org.budayang.core.catalogue.internal.JarReader.Limits;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which department code may run: the same rules for an upload (checked before anything
 * is installed), a {@code deploy/} jar and a feature (checked when the framework resolves the
 * bundle, by {@link ModuleHooks}). A department bundle may only add a new department or
 * upgrade the bundle that already provides the same one; it may not take a platform bundle's
 * symbolic name, another bundle's department or item codes; its signature must be trusted for
 * its department where signatures are required; its descriptor must be valid.
 */
final class ModuleGate {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleGate.class);
    static final String UPLOAD_LOCATION = "budayang:upload/";

    enum Verdict { ACCEPTED, REFUSED, NOT_A_MODULE }

    /**
     * @param stamp the bundle revision decided on (its last-modified time)
     * @param info what {@code GET /modules} shows: the active module or the refusal
     */
    record Decision(long bundleId, long stamp, Verdict verdict, String department, ModuleDescriptor descriptor,
            ModuleInfo info) {
        boolean accepted() {
            return verdict == Verdict.ACCEPTED;
        }
    }

    /** What another bundle already holds: its department and item codes. */
    record Claim(long bundleId, String symbolicName, String version, String department, List<Item> items) {
    }

    private final BundleContext context;
    private final DescriptorParser parser = new DescriptorParser();
    private final Supplier<List<Claim>> active;
    private final Map<Long, Decision> decisions = new ConcurrentHashMap<>();
    /** Uploads being installed over a bundle: the decision already made for the jar it is getting. */
    private final Map<Long, Decision> expected = new ConcurrentHashMap<>();
    private volatile Limits limits = Limits.DEFAULT;
    private volatile ModuleTrust trust;

    /** @param active what the loaded modules hold (the extender's snapshot) */
    ModuleGate(BundleContext context, Supplier<List<Claim>> active, ModuleTrust trust) {
        this.context = context;
        this.active = active;
        this.trust = trust;
    }

    void configure(Limits limits, ModuleTrust trust) {
        this.limits = limits;
        this.trust = trust;
        // A changed trust store or limit applies to bundles decided from now on.
    }

    Limits limits() {
        return limits;
    }

    ModuleTrust trust() {
        return trust;
    }

    // ---- uploads ----------------------------------------------------------------------------

    /**
     * The decision for an uploaded jar, before anything is installed.
     *
     * @param target the installed bundle this upload would upgrade (same symbolic name), or null
     */
    Decision decideUpload(Facts f, Bundle target) throws ModuleException {
        if (f.department() == null) {
            throw new ModuleException(Kind.INVALID, "bundle " + f.symbolicName() + " is not a department module: the manifest has no "
                    + Modules.HEADER + " header");
        }
        long targetId = target == null ? -1 : target.getBundleId();
        if (target != null) {
            String targetDept = header(target);
            if (targetDept == null) {
                return refused(f, -1, 0, null, "symbolic name " + f.symbolicName() + " belongs to platform bundle "
                        + describe(target) + ", which is not a department module: an upload may only add a department "
                        + "or upgrade the bundle that provides it");
            }
            if (!targetDept.equals(f.department())) {
                return refused(f, -1, 0, null, "bundle " + describe(target) + " provides department '" + targetDept
                        + "'; an upgrade must keep its department (this jar declares '" + f.department() + "')");
            }
        }
        return evaluate(f, -1, 0, targetId);
    }

    // ---- installed bundles (deploy/, features, the upload once installed) ---------------------

    /** The decision for the bundle's current revision, computed once per revision. */
    Decision decide(Bundle b) {
        long stamp = b.getLastModified();
        Decision d = decisions.get(b.getBundleId());
        if (d != null && d.stamp() == stamp) {
            return d;
        }
        Decision checked = expected.remove(b.getBundleId());
        d = checked != null ? withBundle(b, checked) : compute(b, stamp);
        decisions.put(b.getBundleId(), d);
        if (d.verdict() == Verdict.REFUSED) {
            LOG.warn("Module refused: {}", d.info().reason());
        }
        return d;
    }

    /** The last decision made for a bundle, without computing one. */
    Decision known(long bundleId) {
        return decisions.get(bundleId);
    }

    /** Replaces a decision (a conflict found when the module was loaded, or a warning added). */
    void record(Decision d) {
        decisions.put(d.bundleId(), d);
    }

    void forget(long bundleId) {
        decisions.remove(bundleId);
    }

    /** Seeds the decision of a bundle just installed from an upload that was checked already. */
    void seed(Bundle b, Decision checked) {
        decisions.put(b.getBundleId(), withBundle(b, checked));
    }

    /**
     * The upload being written over this bundle was checked already: its new revision takes that
     * decision instead of reading the jar again (until {@link #unexpect}).
     */
    void expect(Bundle b, Decision checked) {
        expected.put(b.getBundleId(), checked);
    }

    void unexpect(Bundle b) {
        expected.remove(b.getBundleId());
    }

    private static Decision withBundle(Bundle b, Decision checked) {
        return new Decision(b.getBundleId(), b.getLastModified(), checked.verdict(), checked.department(), checked.descriptor(),
                withId(checked.info(), b.getBundleId()));
    }

    private Decision compute(Bundle b, long stamp) {
        String dept = header(b);
        if (dept == null) {
            String location = b.getLocation();
            if (location.startsWith(UPLOAD_LOCATION) || inDeployFolder(location)) {
                return refused(b, stamp, "", "not a department module (no " + Modules.HEADER
                        + " header); deploy/ and uploads take department modules only");
            }
            return new Decision(b.getBundleId(), stamp, Verdict.NOT_A_MODULE, null, null, null);
        }
        for (Bundle other : context.getBundles()) {
            if (other.getBundleId() != b.getBundleId() && b.getSymbolicName() != null
                    && b.getSymbolicName().equals(other.getSymbolicName())) {
                String why = header(other) == null
                        ? "symbolic name " + b.getSymbolicName() + " belongs to platform bundle " + describe(other)
                        : "symbolic name " + b.getSymbolicName() + " is already used by bundle " + describe(other);
                return refused(b, stamp, dept, why);
            }
        }
        Path jar = null;
        try {
            jar = Files.createTempFile("budayang-module-", ".jar");
            export(b, jar, limits);
            Facts f = JarReader.read(jar, limits);
            if (f.department() == null || !f.department().equals(dept)) {
                return refused(b, stamp, dept, "its manifest could not be read back");
            }
            return evaluate(f, b.getBundleId(), stamp, -1);
        } catch (ModuleException e) {
            return refused(b, stamp, dept, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not check bundle {}", describe(b), e);
            return refused(b, stamp, dept, "could not be read: " + e);
        } finally {
            if (jar != null) {
                try {
                    Files.deleteIfExists(jar);
                } catch (IOException ignored) {
                    // Karaf's data/tmp is cleaned at start.
                }
            }
        }
    }

    /**
     * The rules every department jar passes, in this order: signature first (nothing an
     * untrusted party wrote is parsed before that), then the department and item claims, then the
     * descriptor itself.
     */
    private Decision evaluate(Facts f, long id, long stamp, long upgrading) {
        String dept = f.department();
        ModuleTrust.Verdict v = trust.check(f, dept);
        if (v.refusal() != null) {
            return refused(f, id, stamp, null, v.refusal());
        }
        // The department is known from the manifest: clash on it before parsing, on items after.
        String[] clash = clash(dept, List.of(), f.symbolicName(), id, upgrading, claims());
        if (clash != null) {
            return refused(f, id, stamp, clash[0], clash[1]);
        }
        if (f.descriptor() == null) {
            return refused(f, id, stamp, "(file)", "descriptor not found in the bundle");
        }
        ModuleDescriptor d;
        try {
            d = parser.parse(f.descriptor(), dept);
        } catch (DescriptorException e) {
            return refused(f, id, stamp, e.field(), e.reason());
        } catch (RuntimeException e) {
            LOG.error("Could not read the descriptor of {}", f.symbolicName(), e);
            return refused(f, id, stamp, "(file)", "could not be read: " + e);
        }
        clash = clash(dept, d.items(), f.symbolicName(), id, upgrading, claims());
        if (clash != null) {
            return refused(f, id, stamp, clash[0], clash[1]);
        }
        ModuleInfo info = new ModuleInfo(dept, f.symbolicName(), f.version(), id, ModuleState.ACTIVE, null,
                d.items().size(), v.warnings(), v.signer());
        return new Decision(id, stamp, Verdict.ACCEPTED, dept, d, info);
    }

    /**
     * Whether a department and its items clash with what other bundles hold: {field, reason}, or
     * null. The bundle itself ({@code id}) and the one an upload upgrades ({@code upgrading}) do not
     * count, nor does another revision under the same symbolic name.
     */
    static String[] clash(String dept, List<Item> items, String symbolicName, long id, long upgrading, List<Claim> claims) {
        for (Claim c : claims) {
            if (c.bundleId() == id || c.bundleId() == upgrading) {
                continue;
            }
            if (c.department().equals(dept)) {
                if (!c.symbolicName().equals(symbolicName)) {
                    return new String[] { "department.code", "department '" + dept + "' is already provided by bundle "
                            + c.symbolicName() + " " + c.version() + " (id " + c.bundleId() + ")" };
                }
                continue;
            }
            for (int i = 0; i < items.size(); i++) {
                String code = items.get(i).code();
                for (Item other : c.items()) {
                    if (other.code().equals(code)) {
                        return new String[] { "items[" + i + "].code", "item code '" + code
                                + "' is already provided by department '" + c.department() + "'" };
                    }
                }
            }
        }
        return null;
    }

    /** The loaded modules and the accepted bundles not loaded yet (resolved, still starting). */
    private List<Claim> claims() {
        List<Claim> out = new ArrayList<>(active.get());
        for (Decision d : decisions.values()) {
            if (d.accepted() && d.bundleId() >= 0 && out.stream().noneMatch(c -> c.bundleId() == d.bundleId())
                    && context.getBundle(d.bundleId()) != null) {
                out.add(new Claim(d.bundleId(), d.info().bundle(), d.info().version(), d.department(), d.descriptor().items()));
            }
        }
        return out;
    }

    private Decision refused(Facts f, long id, long stamp, String field, String reason) {
        ModuleInfo info = refusal(f.department() == null ? "" : f.department(), f.symbolicName(), f.version(), id, field, reason);
        return new Decision(id, stamp, Verdict.REFUSED, f.department(), null, info);
    }

    /**
     * A refused module as listed: "bundle B V (id N)" (or "(upload)"), then for a descriptor error
     * ", file …, field F", then ": " and the reason.
     */
    static ModuleInfo refusal(String department, String bundle, String version, long id, String field, String reason) {
        String text = where(bundle, version, id) + (field == null ? "" : ", file " + Modules.DESCRIPTOR + ", field " + field)
                + ": " + reason;
        return new ModuleInfo(department, bundle, version, id, ModuleState.REFUSED, text, 0);
    }

    private Decision refused(Bundle b, long stamp, String dept, String reason) {
        ModuleInfo info = refusal(dept, b.getSymbolicName(), b.getVersion().toString(), b.getBundleId(), null, reason);
        return new Decision(b.getBundleId(), stamp, Verdict.REFUSED, dept, null, info);
    }

    static String where(String bsn, String version, long id) {
        return "bundle " + bsn + " " + version + (id >= 0 ? " (id " + id + ")" : " (upload)");
    }

    /** A refusal decided before anything was installed, named after where the jar came from (e.g. deploy/x.jar). */
    static ModuleInfo from(ModuleInfo i, String source) {
        String reason = i.reason() == null ? null : i.reason().replace(" (upload)", " (" + source + ")");
        return new ModuleInfo(i.department(), i.bundle(), i.version(), i.bundleId(), i.state(), reason, i.items(), i.warnings(), i.signer());
    }

    private static ModuleInfo withId(ModuleInfo i, long id) {
        String reason = i.reason() == null ? null : i.reason().replace(" (upload)", " (id " + id + ")");
        return new ModuleInfo(i.department(), i.bundle(), i.version(), id, i.state(), reason, i.items(), i.warnings(), i.signer());
    }

    static String header(Bundle b) {
        String h = b.getHeaders("").get(Modules.HEADER);
        return h == null || h.isBlank() ? null : h.strip();
    }

    static String describe(Bundle b) {
        return b.getSymbolicName() + " " + b.getVersion() + " (id " + b.getBundleId() + ")";
    }

    static boolean inDeployFolder(String location) {
        String base = System.getProperty("karaf.base");
        if (base == null || !location.startsWith("file:")) {
            return false;
        }
        try {
            Path file = Path.of(URI.create(location)).toAbsolutePath().normalize();
            return file.startsWith(Path.of(base, "deploy").toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Writes an installed bundle's entries into a jar, within the limits, so that its signature
     * can be checked like an upload's. {@code getEntryPaths} never resolves the bundle, which
     * matters because this runs while the framework is resolving it.
     */
    static void export(Bundle b, Path jar, Limits limits) throws IOException, ModuleException {
        long total = 0;
        int entries = 0;
        byte[] buf = new byte[64 * 1024];
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            Deque<String> todo = new ArrayDeque<>();
            todo.add("/");
            while (!todo.isEmpty()) {
                Enumeration<String> paths = b.getEntryPaths(todo.poll());
                while (paths != null && paths.hasMoreElements()) {
                    String p = paths.nextElement();
                    if (++entries > limits.maxEntries()) {
                        throw new ModuleException(Kind.TOO_LARGE, "the bundle has more than " + limits.maxEntries() + " entries");
                    }
                    if (p.endsWith("/")) {
                        todo.add(p);
                        continue;
                    }
                    URL url = b.getEntry(p);
                    if (url == null) {
                        continue;
                    }
                    zip.putNextEntry(new ZipEntry(p));
                    try (InputStream in = url.openStream()) {
                        for (int n; (n = in.read(buf)) > 0;) {
                            total += n;
                            if (total > limits.maxUnzippedBytes()) {
                                throw new ModuleException(Kind.TOO_LARGE, "the bundle unzips to more than "
                                        + JarReader.size(limits.maxUnzippedBytes()));
                            }
                            zip.write(buf, 0, n);
                        }
                    }
                    zip.closeEntry();
                }
            }
        }
    }
}
