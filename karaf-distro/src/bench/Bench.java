import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmark of the Budayang Karaf distribution against vanilla Karaf 4.4.10.
 *
 * <p>Run it from the repository root through {@code bash karaf-distro/src/bench/bench.sh}, which
 * picks Java 17 and fetches vanilla Karaf; or directly with {@code java karaf-distro/src/bench/Bench.java
 * [options]}. Single file, JDK only, so it runs without a build of its own and cannot drift from
 * the distribution it measures because of stale dependencies.
 *
 * <p>What it measures (see {@link #usage()}): cold start of both distributions, throughput and
 * latency of the menu API against a static file on the same Jetty, case submissions (writes to
 * the embedded Derby) alone and beside the menu load, hot deploy times, and resident memory. Everything is printed as it happens and again at the end as a Markdown section for
 * docs/BENCHMARKS.md.
 *
 * <p>It starts real Karaf processes on the default ports (8181 HTTP, 8101 SSH, 1099/44444 JMX), so
 * nothing else may use them while it runs (a {@code ./run} demo hall, for instance).
 */
public final class Bench {

    // ---- options ------------------------------------------------------------------------------

    static final class Options {
        Path distro = Path.of("karaf-distro/target/budayang-distro-0.2.0-SNAPSHOT.tar.gz");
        String distroName;
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path vanilla; // default derived from m2
        Path taxJar; // default derived from m2, falls back to the distro's system/ folder
        Path javaHome;
        Path work = Path.of("/tmp/budayang-bench");
        int runs = 3;
        int kills = 5;
        int clients = 50;
        int citizens = 50;
        int duration = 20;
        int warmup = 3;
        int deployRounds = 5;
        int startTimeout = 180;
        int cabinets = 20;
        int autoclose = 100;
        int doorPoll = 50;
        int lockSamples = 300;
        boolean keep;
        String command;
        Set<String> only = new TreeSet<>(PHASES);

        boolean has(String phase) {
            return only.contains(phase);
        }
    }

    /** What --only chooses from, in the order the run goes through them. */
    static final List<String> PHASES = List.of("start", "restart", "menu", "static", "cases", "mixed", "deploy", "locker",
            "lockpty");

    static String usage() {
        return """
                usage: java Bench.java [options]
                  --distro FILE         Budayang distribution tar.gz (default karaf-distro/target/budayang-distro-0.2.0-SNAPSHOT.tar.gz)
                  --vanilla FILE        vanilla Karaf tar.gz (default <m2>/org/apache/karaf/apache-karaf/4.4.10/apache-karaf-4.4.10.tar.gz)
                  --m2 DIR              local Maven repository (default ~/.m2/repository)
                  --tax-jar FILE        tax department bundle used for the hot-deploy test
                  --java-home DIR       Java 17 used to run Karaf (default: this JVM if it is 17)
                  --work DIR            where the distributions are unpacked (default /tmp/budayang-bench)
                  --runs N              cold starts per distribution, alternating (default 3; 0 skips)
                  --kills N             restarts after kill -9 in the restart phase (default 5; 0 skips)
                  --clients N           concurrent clients of the load test (default 50)
                  --citizens N          concurrent citizens submitting cases, one terminal each (default 50)
                  --duration S          measured seconds per load test (default 20; 0 skips the load test)
                  --warmup S            unmeasured warm-up seconds before each load test (default 3)
                  --deploy-rounds N     hot-deploy rounds (default 5; 0 skips)
                  --only P,P,...        run only these phases (default all), of:
                                          start   cold starts (Budayang and vanilla, --runs)
                                          menu    menu load alone (GET, --clients)
                                          static  static file load alone (GET, --clients)
                                          cases   case submissions alone (POST, --citizens), then the
                                                  menu load again right after them
                                          mixed   case submissions and menu load at the same time
                                          deploy  hot deploy (--deploy-rounds)
                                          locker  smart file lockers: --cabinets cabinets on sim: lock
                                                  boards, each a closed loop of drop-off, door closed,
                                                  staff pickup (own instance, --warmup + --duration)
                                          lockpty one lock-open command over a socat pty: the bare pty
                                                  round trip, and a manual open through the API on a
                                                  pty board against the same on a sim: board
                  --cabinets N          cabinets of the locker phase (default 20, 4 compartments each)
                  --autoclose MS        simulated doors shut this long after opening (default 100)
                  --door-poll MS        the locker service's door polling period (default 50)
                  --lock-samples N      samples per lockpty measurement (default 300)
                  --start-timeout S     give up on a start after S seconds (default 180)
                  --keep                keep the unpacked instances (default: delete them after a clean stop)
                  --command TEXT        command line to print in the report (bench.sh passes its own)
                """;
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--keep")) {
                o.keep = true;
                continue;
            }
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(usage());
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                die("missing value after " + a + "\n" + usage());
            }
            String v = args[++i];
            switch (a) {
                case "--distro" -> o.distro = Path.of(v);
                case "--vanilla" -> o.vanilla = Path.of(v);
                case "--m2" -> o.m2 = Path.of(v);
                case "--tax-jar" -> o.taxJar = Path.of(v);
                case "--java-home" -> o.javaHome = Path.of(v);
                case "--work" -> o.work = Path.of(v);
                case "--runs" -> o.runs = Integer.parseInt(v);
                case "--kills" -> o.kills = Integer.parseInt(v);
                case "--clients" -> o.clients = Integer.parseInt(v);
                case "--citizens" -> o.citizens = Integer.parseInt(v);
                case "--only" -> o.only = phases(v);
                case "--duration" -> o.duration = Integer.parseInt(v);
                case "--warmup" -> o.warmup = Integer.parseInt(v);
                case "--deploy-rounds" -> o.deployRounds = Integer.parseInt(v);
                case "--start-timeout" -> o.startTimeout = Integer.parseInt(v);
                case "--command" -> o.command = v;
                case "--cabinets" -> o.cabinets = Integer.parseInt(v);
                case "--autoclose" -> o.autoclose = Integer.parseInt(v);
                case "--door-poll" -> o.doorPoll = Integer.parseInt(v);
                case "--lock-samples" -> o.lockSamples = Integer.parseInt(v);
                default -> die("unknown option " + a + "\n" + usage());
            }
        }
        if (o.vanilla == null) {
            o.vanilla = o.m2.resolve("org/apache/karaf/apache-karaf/4.4.10/apache-karaf-4.4.10.tar.gz");
        }
        if (o.taxJar == null) {
            o.taxJar = o.m2.resolve("org/budayang/org.budayang.dept.tax/0.2.0-SNAPSHOT/org.budayang.dept.tax-0.2.0-SNAPSHOT.jar");
        }
        if (o.command == null) {
            o.command = "java karaf-distro/src/bench/Bench.java" + (args.length == 0 ? "" : " " + String.join(" ", args));
        }
        return o;
    }

    static Set<String> phases(String list) {
        Set<String> out = new TreeSet<>();
        for (String p : list.split(",")) {
            String name = p.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!PHASES.contains(name)) {
                die("unknown phase '" + name + "' in --only; phases are " + String.join(",", PHASES) + "\n" + usage());
            }
            out.add(name);
        }
        if (out.isEmpty()) {
            die("--only needs at least one of " + String.join(",", PHASES));
        }
        return out;
    }

    // ---- constants ----------------------------------------------------------------------------

    static final int HTTP_PORT = 8181;
    /** Every port a default Karaf binds: the next instance cannot start while one is still taken. */
    static final int[] KARAF_PORTS = {HTTP_PORT, 8101, 1099, 44444};
    static final String BASE = "http://127.0.0.1:" + HTTP_PORT;
    static final String MENU = "/api/v1/terminals/demo-01/menu";
    static final String MENU_TAX = "/api/v1/terminals/demo-02/menu";
    static final String STATIC = "/static/reference.json";
    static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
    /** A department whose code is "tax"; item codes are upper case, so they never match. */
    static final Pattern TAX_DEPARTMENT = Pattern.compile("\"code\"\\s*:\\s*\"tax\"");
    static final Pattern STATE_ACTIVE = Pattern.compile("\"state\"\\s*:\\s*\"active\"");
    /** Poll period while waiting for something to appear, as short as possible without busy-looping. */
    static final long POLL_MS = 20;

    // The write load: citizens at terminals registered for the run submit one kind of case.
    static final String HALL = "demo";
    static final String CASES = "/api/v1/cases";
    /** Housing fund, withdrawal on retirement: offered on terminals without special devices. */
    static final String CASE_ITEM = "000183001005";
    static final String CASE_JSON = "{\"item\": \"" + CASE_ITEM + "\", \"situation\": \"self\", "
            + "\"form\": {\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}}";
    static final String TERMINAL_CAPABILITIES = "[\"idcard\", \"qrcode\", \"printer.receipt\", \"printer.a4\"]";
    static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern CASE_NUMBER = Pattern.compile("\"number\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern FORWARDED = Pattern.compile("\"forwarded\"\\s*:\\s*true");
    static final Pattern DELIVERIES = Pattern.compile("\"deliveries\"\\s*:\\s*(\\d+)");
    /** Error bodies kept per client and shown per load run: enough to see what went wrong. */
    static final int ERROR_SAMPLES = 5;
    /** Case numbers looked up in the sandbox afterwards, spread evenly over all submitted. */
    static final int DELIVERY_CHECKS = 500;

    // ---- results, collected for the final Markdown section -----------------------------------

    record StartResult(long httpMs, long readyMs, long rssKb, boolean ok, String note) {
    }

    /**
     * One load run of one group of clients. {@code phase} says what ran at the time ("alone" for
     * the plain GET runs); {@code notForwarded} and {@code relogins} concern case submissions
     * only (-1 otherwise).
     */
    record LoadResult(String method, String endpoint, String phase, int clients, int seconds, long requests, double perSecond,
            long p50, long p99, long p999, long max, long mean, long errors, String firstError, List<String> errorSamples,
            int bodyBytes, long notForwarded, long relogins) {
    }

    static final List<StartResult> budayangStarts = new ArrayList<>();
    static final List<StartResult> vanillaStarts = new ArrayList<>();
    /** The start-up timeline of each Budayang cold start, read off its karaf.log. */
    static final List<Timeline> timelines = new ArrayList<>();
    /** Restarts after kill -9: time from the new process to the API ready (health 200) and the first menu 200. */
    static final List<long[]> restarts = new ArrayList<>();
    static final List<LoadResult> loads = new ArrayList<>();
    /** The write phases, in the order they ran: submissions alone, menu right after, mixed. */
    static final List<LoadResult> writes = new ArrayList<>();
    static String deliveryCheck;
    static String backOfficeSettings = "?";
    static final Map<String, List<Long>> deploy = new LinkedHashMap<>();
    static final Map<String, Integer> deployFailures = new LinkedHashMap<>();
    static final Map<String, Long> rss = new LinkedHashMap<>();
    static final List<String> problems = new ArrayList<>();
    static String karafJvmArgs = "";
    static String fileinstallPoll = "?";
    static boolean budayangEverStarted;
    static String loadBefore = "?";
    static long loadInstanceReadyMs = -1;

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        Path java17 = findJava17(o);
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String machine = machine(java17);
        line("Budayang benchmark, " + started);
        line(machine.replace("\n", "\n  "));
        String load = readOr(Path.of("/proc/loadavg"), "?").trim();
        loadBefore = load.equals("?") ? "?" : String.join(" ", Arrays.copyOf(load.split(" "), 3));
        line("load average before the run: " + load);
        if (!load.equals("?") && Double.parseDouble(load.split(" ")[0]) > 0.5) {
            // Two cores are easily taken by a build; the figures would then measure the build.
            line("WARNING: the machine is not idle (load " + load.split(" ")[0] + "); figures will be pessimistic");
        }
        if (!Files.isRegularFile(o.distro)) {
            die("Budayang distribution not found: " + o.distro.toAbsolutePath()
                    + "\nBuild it first: ./run   or   mvn -DskipTests install");
        }
        boolean vanilla = Files.isRegularFile(o.vanilla);
        int runs = o.has("start") ? o.runs : 0;
        if (!vanilla && runs > 0) {
            problem("vanilla Karaf not found at " + o.vanilla + "; cold-start comparison skipped"
                    + " (bench.sh fetches it with mvn dependency:get)");
        }
        Path runDir = o.work.resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now()));
        Files.createDirectories(runDir);
        line("instances are unpacked under " + runDir);
        // Every run unpacks the same bytes even if a build rewrites target/ meanwhile.
        Path snapshot = runDir.resolve(o.distro.getFileName());
        Files.copy(o.distro, snapshot);
        line("distribution " + o.distro + " (" + Files.size(snapshot) + " bytes, built "
                + Files.getLastModifiedTime(o.distro) + ") copied to " + snapshot);
        o.distroName = o.distro.getFileName().toString();
        o.distro = snapshot;
        // A leftover Karaf (a ./run demo, an earlier aborted bench) would answer our polls instead.
        if (!awaitPortsFree(30_000)) {
            die("ports " + Arrays.toString(KARAF_PORTS) + " are still in use (a running Karaf, ./run?); stop it first");
        }

        // 1. Cold start, alternating so that a slow phase of the machine hits both alike.
        for (int run = 1; run <= runs; run++) {
            budayangStarts.add(coldStart(o, java17, runDir, "budayang-" + run, true, run));
            if (vanilla) {
                vanillaStarts.add(coldStart(o, java17, runDir, "vanilla-" + run, false, run));
            }
        }

        // 1b. Restart after kill -9, on an instance of its own.
        if (o.has("restart") && o.kills > 0) {
            restartAfterKill(o, java17, runDir);
        }

        // 2.-4. One more fresh Budayang for load, writes, hot deploy and memory.
        boolean anyLoad = o.duration > 0 && Stream.of("menu", "static", "cases", "mixed").anyMatch(o::has);
        if (anyLoad || o.deployRounds > 0 && o.has("deploy")) {
            workload(o, java17, runDir);
        }

        // 5. Lockers, on an instance of their own (it gets extra cabinets and lock buses).
        if (o.has("locker") && o.duration > 0 || o.has("lockpty") && o.lockSamples > 0) {
            LockerBench.run(o, java17, runDir);
        }

        String md = markdown(o, started, machine);
        System.out.println();
        System.out.println(md);
        Files.deleteIfExists(snapshot);
        // Instances that stopped cleanly are gone already; what is left holds logs of a failure.
        if (!o.keep && problems.isEmpty()) {
            deleteTree(runDir);
        } else {
            line("instances and logs kept under " + runDir);
        }
        if (!budayangEverStarted) {
            System.exit(1);
        }
    }

    // ---- 1. cold start ------------------------------------------------------------------------

    static StartResult coldStart(Options o, Path java17, Path runDir, String name, boolean budayang, int run) {
        Karaf k = null;
        try {
            k = unpack(o, budayang ? o.distro : o.vanilla, runDir.resolve(name), budayang);
            if (!budayang) {
                prepareVanilla(k.home, o.m2);
            }
            long launched = System.currentTimeMillis();
            StartResult r = k.start(java17, budayang, o.startTimeout);
            String what = budayang ? "Budayang" : "vanilla Karaf 4.4.10 + scr, http, http-whiteboard";
            if (budayang && r.ok) {
                Timeline t = Timeline.read(k.log(), launched, r.readyMs);
                timelines.add(t);
                for (String l : t.summary()) {
                    line("  " + l);
                }
            }
            if (r.ok) {
                line(String.format(Locale.ROOT, "cold start %d %-28s first HTTP answer %6d ms%s, RSS %d MB", run, what,
                        r.httpMs, budayang ? String.format(Locale.ROOT, ", first menu 200 %6d ms", r.readyMs) : "",
                        r.rssKb / 1024));
                if (budayang) {
                    budayangEverStarted = true;
                }
            } else {
                problem("cold start " + run + " " + what + " failed: " + r.note + " (log: " + k.log() + ")");
            }
            return r;
        } catch (Exception e) {
            problem("cold start " + run + " " + name + " failed: " + e);
            return new StartResult(-1, -1, -1, false, e.toString());
        } finally {
            if (k != null) {
                k.stopAndClean(o.keep);
            }
        }
    }

    /**
     * Where a start's time goes, read off karaf.log: Karaf's phases (the features service logs
     * each), the platform's own markers, and how long each bundle's start took (its line in
     * "Starting bundles:" to the next one: the bundle's activator and the components DS
     * activates on that thread). Times are ms since the process was launched.
     */
    record Timeline(Map<String, Long> phases, Map<String, Long> bundles) {
        static final Pattern LINE = Pattern.compile(
                "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[,.]\\d{3}) \\| \\w+\\s*\\| ([^|]*)\\| ([^|]*)\\| ([^|]*)\\| ?(.*)$");
        static final Pattern BUNDLE = Pattern.compile("^  (\\S+)/\\S+$");
        static final Pattern STORE = Pattern.compile("^Database .* in (\\d+) ms$");

        static Timeline read(Path log, long launchedEpochMs, long readyMs) {
            Map<String, Long> phases = new LinkedHashMap<>();
            Map<String, Long> bundles = new LinkedHashMap<>();
            List<String> lines;
            try {
                lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            } catch (IOException | UncheckedIOException e) {
                return new Timeline(phases, bundles);
            }
            String open = null;
            long openAt = 0;
            boolean starting = false;
            for (String l : lines) {
                Matcher m = LINE.matcher(l);
                if (!m.matches()) {
                    continue;
                }
                long at = java.time.LocalDateTime.parse(m.group(1).replace(',', '.')).atZone(java.time.ZoneId.systemDefault())
                        .toInstant().toEpochMilli() - launchedEpochMs;
                String logger = m.group(3).trim();
                String msg = m.group(5);
                phases.putIfAbsent("logging up (first log line)", at);
                if (logger.equals("FeaturesServiceImpl")) {
                    if (msg.startsWith("Adding features:")) {
                        phases.putIfAbsent("boot features: resolution begins", at);
                    } else if (msg.startsWith("Changes to perform:")) {
                        phases.putIfAbsent("boot features: resolved", at);
                    } else if (msg.startsWith("Starting bundles:")) {
                        phases.putIfAbsent("boot features: installed, starting bundles", at);
                        starting = true;
                    } else if (starting && BUNDLE.matcher(msg).matches()) {
                        if (open != null) {
                            bundles.merge(open, at - openAt, Long::sum);
                        }
                        Matcher b = BUNDLE.matcher(msg);
                        b.matches();
                        open = b.group(1);
                        openAt = at;
                    } else if (msg.equals("Done.") && starting) {
                        if (open != null) {
                            bundles.merge(open, at - openAt, Long::sum);
                            open = null;
                        }
                        phases.putIfAbsent("boot features: every bundle started", at);
                        starting = false;
                    }
                } else if (logger.equals("DataSourceProvider")) {
                    Matcher st = STORE.matcher(msg);
                    if (st.matches()) {
                        phases.putIfAbsent("database open and migrated (took " + st.group(1) + " ms on its own thread)", at);
                    }
                } else if (logger.equals("ModuleExtender") && msg.startsWith("Module ") && msg.contains(" loaded from bundle")) {
                    phases.put("last department module loaded", at);
                } else if (logger.equals("HttpServiceEnabled") && msg.contains("name='budayang-api'") && msg.startsWith("Registering")) {
                    phases.putIfAbsent("API servlet registered", at);
                } else if (logger.equals("StartupGate") && msg.startsWith("The hall is ready")) {
                    phases.putIfAbsent("start-up gate: ready", at);
                }
            }
            phases.put("first menu 200 (the benchmark's poll)", readyMs);
            return new Timeline(phases, bundles);
        }

        List<String> summary() {
            List<String> out = new ArrayList<>();
            phases.entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(e -> out.add(String.format(Locale.ROOT, "%7d ms  %s", e.getValue(), e.getKey())));
            String slow = bundles.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .map(e -> e.getKey() + " " + e.getValue() + " ms").reduce((a, b) -> a + ", " + b).orElse("–");
            out.add("slowest bundle starts: " + slow);
            return out;
        }
    }

    // ---- 1b. restart after kill -9 -------------------------------------------------------------

    /**
     * Starts a fresh Budayang, waits for its menu, then kills the JVM with SIGKILL (no shutdown
     * hook, Derby not closed: a power cut or an OOM kill) and starts the same instance again,
     * timing until the API is ready (GET /api/v1/health 200) and the first menu 200.
     */
    static void restartAfterKill(Options o, Path java17, Path runDir) {
        Karaf k = null;
        try {
            k = unpack(o, o.distro, runDir.resolve("restart"), true);
            StartResult first = k.start(java17, true, o.startTimeout);
            if (!first.ok) {
                problem("restart phase: the first start failed: " + first.note);
                return;
            }
            for (int i = 1; i <= o.kills; i++) {
                sleep(2_000); // let background work (SMS sender, device probes) run as in a live hall
                ProcessHandle jvm = k.jvm;
                if (jvm == null) {
                    problem("restart phase: no Karaf JVM to kill");
                    return;
                }
                jvm.destroyForcibly();
                jvm.onExit().get(30, TimeUnit.SECONDS);
                k.process.waitFor(30, TimeUnit.SECONDS);
                long t0 = System.nanoTime();
                long launched = System.currentTimeMillis();
                Files.move(k.log(), k.log().resolveSibling("karaf-before-kill-" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
                StartResult r = k.start(java17, true, o.startTimeout);
                if (!r.ok) {
                    problem("restart " + i + " after kill -9 failed: " + r.note);
                    restarts.add(new long[] { -1, -1 });
                    continue;
                }
                Timeline t = Timeline.read(k.log(), launched, r.readyMs);
                long health = t.phases().getOrDefault("start-up gate: ready", -1L);
                restarts.add(new long[] { health, r.readyMs });
                line(String.format(Locale.ROOT, "restart %d after kill -9: API ready (gate) %d ms, first menu 200 %d ms", i, health,
                        r.readyMs));
                for (String l : t.summary()) {
                    line("  " + l);
                }
                if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) > 60_000) {
                    line("  (slow restart: its log is kept as " + k.log() + ")");
                }
            }
        } catch (Exception e) {
            problem("restart phase failed: " + e);
        } finally {
            if (k != null) {
                k.stopAndClean(o.keep);
            }
        }
    }

    /**
     * Vanilla Karaf gets the scr, http and http-whiteboard features at boot, so it ends up
     * serving Jetty on 8181 with Declarative Services like Budayang does. Its system/ folder does not hold the Pax Web bundles, so it resolves them
     * from the local Maven repository only: no remote repository, the run stays off the network.
     */
    static void prepareVanilla(Path home, Path m2) throws IOException {
        Path cfg = home.resolve("etc/org.apache.karaf.features.cfg");
        List<String> lines = new ArrayList<>(Files.readAllLines(cfg));
        int first = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*featuresBoot\\s*=.*")) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            throw new IOException("no featuresBoot in " + cfg);
        }
        // The value runs on while a line ends with a backslash; append to its last line.
        int last = first;
        while (last + 1 < lines.size() && lines.get(last).stripTrailing().endsWith("\\")) {
            last++;
        }
        String end = lines.get(last).stripTrailing();
        // The platform's own base: Declarative Services and the HTTP whiteboard on Jetty.
        if (end.endsWith("=")) {
            lines.set(last, end + " scr, http, http-whiteboard");
        } else {
            lines.set(last, end + ", \\");
            lines.add(last + 1, "    scr, http, http-whiteboard");
        }
        Files.write(cfg, lines);

        Path mvn = home.resolve("etc/org.ops4j.pax.url.mvn.cfg");
        String text = Files.readString(mvn);
        // Drop the remote repositories (continuation lines included) and add the local repository.
        text = text.replaceAll("(?m)^org\\.ops4j\\.pax\\.url\\.mvn\\.repositories\\s*=(?:.*\\\\\\R)*.*$",
                "org.ops4j.pax.url.mvn.repositories=");
        text += "\norg.ops4j.pax.url.mvn.localRepository=" + m2.toAbsolutePath() + "\n";
        Files.writeString(mvn, text);
    }

    // ---- 2.-4. load, hot deploy, memory -------------------------------------------------------

    static void workload(Options o, Path java17, Path runDir) {
        Karaf k = null;
        try {
            k = unpack(o, o.distro, runDir.resolve("budayang-load"), true);
            fileinstallPoll = fileinstallPoll(k.home);
            StartResult r = k.start(java17, true, o.startTimeout);
            if (!r.ok) {
                problem("Budayang for the load test did not start: " + r.note + " (log: " + k.log() + ")");
                return;
            }
            budayangEverStarted = true;
            loadInstanceReadyMs = r.readyMs;
            line(String.format(Locale.ROOT, "load instance up: first menu 200 after %d ms", r.readyMs));
            rss.put("right after start (first menu 200)", r.rssKb);
            line("RSS right after start: " + r.rssKb / 1024 + " MB");
            karafJvmArgs = k.heapArgs();

            if (o.duration > 0) {
                LoadResult menu = null;
                LoadResult stat = null;
                if (o.has("menu")) {
                    menu = load(MENU, o.clients, o.warmup, o.duration);
                    loads.add(menu);
                    rss.put("after the menu load run", k.rssKb());
                }
                if (o.has("static")) {
                    stat = load(STATIC, o.clients, o.warmup, o.duration);
                    loads.add(stat);
                    rss.put(menu == null ? "after the static load run" : "after both load runs", k.rssKb());
                }
                if (menu != null || stat != null) {
                    line("RSS after the load runs: " + k.rssKb() / 1024 + " MB");
                }
                if (menu != null && stat != null && stat.perSecond > 0) {
                    line(String.format(Locale.ROOT, "throughput ratio menu/static: %.2f", menu.perSecond / stat.perSecond));
                }
                if (o.has("cases") || o.has("mixed")) {
                    writeLoad(o, k);
                }
            }
            if (o.deployRounds > 0 && o.has("deploy")) {
                hotDeploy(o, k);
                rss.put("after the hot-deploy rounds", k.rssKb());
            }
        } catch (Exception e) {
            problem("load/deploy phase aborted: " + e);
        } finally {
            if (k != null) {
                k.stopAndClean(o.keep);
            }
        }
    }

    /**
     * Closed-loop load: each client sends its next request as soon as the previous one returned,
     * so the offered load adapts to the server and latency is not hidden by queueing in the client.
     * Each thread has its own HttpClient (HTTP/1.1, one kept-alive connection) and its own latency
     * array: nothing is shared on the hot path except the clock.
     */
    static LoadResult load(String path, int clients, int warmupS, int durationS) throws InterruptedException {
        return load(path, "alone", clients, warmupS, durationS);
    }

    static LoadResult load(String path, String phase, int clients, int warmupS, int durationS) throws InterruptedException {
        line("load: " + clients + " clients on GET " + path + (phase.equals("alone") ? "" : " (" + phase + ")") + ", "
                + warmupS + " s warm-up + " + durationS + " s measured");
        Worker[] workers = menuClients(path, clients, durationS);
        run(workers, warmupS, durationS);
        return summarize("GET", path, phase, workers, durationS);
    }

    /** Clients that GET one path and expect 200. */
    static Worker[] menuClients(String path, int clients, int durationS) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(10)).GET().build();
        Worker[] workers = new Worker[clients];
        for (int i = 0; i < clients; i++) {
            workers[i] = new Worker("client-" + i, durationS, 4000, (w, measured) -> {
                HttpResponse<byte[]> r = w.client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    return "HTTP " + r.statusCode() + " " + abbreviate(new String(r.body(), StandardCharsets.UTF_8));
                }
                w.bodyBytes = r.body().length;
                return null;
            });
        }
        return workers;
    }

    /** Runs the clients together: warm-up, then the measured window, the same for all of them. */
    static void run(Worker[] workers, int warmupS, int durationS) throws InterruptedException {
        // The clock starts once every client exists, so creating them does not eat into the run.
        long begin = System.nanoTime();
        long measureFrom = begin + TimeUnit.SECONDS.toNanos(warmupS);
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(durationS);
        Thread[] threads = new Thread[workers.length];
        for (int i = 0; i < workers.length; i++) {
            workers[i].from = measureFrom;
            workers[i].to = measureTo;
            threads[i] = new Thread(workers[i], workers[i].name);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        long joinBy = measureTo + TimeUnit.SECONDS.toNanos(30); // bounded even if a request hangs
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime());
            t.join(Math.max(1, left));
        }
    }

    static LoadResult summarize(String method, String path, String phase, Worker[] workers, int durationS) {
        long n = 0;
        long errors = 0;
        List<String> samples = new ArrayList<>();
        int body = -1;
        long notForwarded = 0;
        long relogins = 0;
        boolean writes = method.equals("POST");
        for (Worker w : workers) {
            n += w.count;
            errors += w.errors;
            for (String e : w.errorSamples) {
                if (samples.size() < ERROR_SAMPLES) {
                    samples.add(e);
                }
            }
            body = Math.max(body, w.bodyBytes);
            notForwarded += w.notForwarded;
            relogins += w.relogins;
        }
        long[] all = new long[(int) n];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.latencies, 0, all, at, w.count);
            at += w.count;
        }
        Arrays.sort(all);
        long sum = 0;
        for (long l : all) {
            sum += l;
        }
        String firstError = samples.isEmpty() ? null : samples.get(0);
        LoadResult r = new LoadResult(method, path, phase, workers.length, durationS, n, n / (double) durationS, rank(all, 0.50),
                rank(all, 0.99), rank(all, 0.999), n == 0 ? -1 : all[all.length - 1], n == 0 ? -1 : sum / n, errors, firstError,
                List.copyOf(samples), body, writes ? notForwarded : -1, writes ? relogins : -1);
        line(String.format(Locale.ROOT,
                "load %s %-32s %8d requests %9.1f req/s  p50 %s  p99 %s  p99.9 %s  max %s ms  errors %d%s  (%d-byte body)%s%s",
                method, path, r.requests, r.perSecond, ms(r.p50), ms(r.p99), ms(r.p999), ms(r.max), r.errors,
                r.firstError == null ? "" : " (first: " + r.firstError + ")", r.bodyBytes,
                writes ? String.format(Locale.ROOT, ", %d not forwarded at once, %d re-logins", notForwarded, relogins) : "",
                phase.equals("alone") ? "" : "  [" + phase + ", " + workers.length + " clients]"));
        for (int i = 1; i < samples.size(); i++) {
            line("  error " + (i + 1) + ": " + samples.get(i));
        }
        if (errors > 0) {
            problem(errors + " failed requests on " + method + " " + path + (phase.equals("alone") ? "" : " (" + phase + ")")
                    + ", first: " + firstError);
        }
        return r;
    }

    /** Nearest-rank percentile of sorted nanosecond latencies. */
    static long rank(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** One request of a client: null if it went as expected, else what went wrong. */
    interface Call {
        String send(Worker w, boolean measured) throws IOException, InterruptedException;
    }

    static final class Worker implements Runnable {
        final String name;
        final Call call;
        /** Set before the thread starts (Thread.start() publishes them). */
        long from;
        long to;
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        /** Sized for the expected rate: no allocation on the hot path unless it is exceeded. */
        long[] latencies;
        int count;
        long errors;
        final List<String> errorSamples = new ArrayList<>();
        int bodyBytes = -1;
        /** Case submissions only: 201s that had not reached the back office, sessions opened again, case numbers. */
        long notForwarded;
        long relogins;
        final List<String> caseNumbers = new ArrayList<>();

        Worker(String name, int seconds, int perSecond, Call call) {
            this.name = name;
            this.call = call;
            this.latencies = new long[Math.max(1024, seconds * perSecond)];
        }

        @Override
        public void run() {
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= to) {
                    return;
                }
                boolean measured = t0 >= from;
                String error;
                try {
                    error = call.send(this, measured);
                } catch (IOException e) {
                    error = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
                long t1 = System.nanoTime();
                if (!measured) {
                    continue;
                }
                if (error != null) {
                    errors++;
                    if (errorSamples.size() < ERROR_SAMPLES) {
                        errorSamples.add(error);
                    }
                    continue;
                }
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = t1 - t0;
            }
        }
    }

    // ---- case submissions ---------------------------------------------------------------------

    /**
     * Writes: one terminal per citizen is registered through the admin API and a citizen logs
     * in at each with an ID card. Phase "cases": the citizens submit alone, then the menu load
     * runs again right after, on a database that now holds their cases. Phase "mixed": citizens
     * and menu clients run at the same time over the same measured window. Sessions are opened
     * anew before each phase (a new login at a terminal ends the last one), so the idle timeout
     * cannot end them between phases; a 401 session_required during a phase logs in again.
     */
    static void writeLoad(Options o, Karaf k) throws Exception {
        if (o.citizens <= 0) {
            return;
        }
        backOfficeSettings = backOfficeSettings(k.home);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        List<Citizen> citizens = new ArrayList<>();
        long t = System.nanoTime();
        for (int n = 1; n <= o.citizens; n++) {
            Citizen c = new Citizen(n);
            c.register(http);
            citizens.add(c);
        }
        line("registered " + citizens.size() + " terminals " + citizens.get(0).terminal + ".." + citizens.get(citizens.size() - 1).terminal
                + " in hall " + HALL + " in " + sinceMs(t) + " ms; back office: " + backOfficeSettings);
        List<String> numbers = new ArrayList<>();
        if (o.has("cases")) {
            loginAll(citizens, http);
            line("cases: " + citizens.size() + " citizens on POST " + CASES + " (item " + CASE_ITEM + ", situation self), "
                    + o.warmup + " s warm-up + " + o.duration + " s measured");
            Worker[] submitters = citizenClients(citizens, o.duration);
            run(submitters, o.warmup, o.duration);
            writes.add(summarize("POST", CASES, "alone", submitters, o.duration));
            Stream.of(submitters).forEach(w -> numbers.addAll(w.caseNumbers));
            rss.put("after the case submissions", k.rssKb());
            writes.add(load(MENU, "right after the case submissions", o.clients, o.warmup, o.duration));
        }
        if (o.has("mixed")) {
            loginAll(citizens, http);
            line("mixed: " + citizens.size() + " citizens on POST " + CASES + " and " + o.clients + " clients on GET " + MENU
                    + " at the same time, " + o.warmup + " s warm-up + " + o.duration + " s measured");
            Worker[] submitters = citizenClients(citizens, o.duration);
            Worker[] readers = menuClients(MENU, o.clients, o.duration);
            Worker[] both = Arrays.copyOf(submitters, submitters.length + readers.length);
            System.arraycopy(readers, 0, both, submitters.length, readers.length);
            run(both, o.warmup, o.duration);
            LoadResult w = summarize("POST", CASES, "mixed", submitters, o.duration);
            LoadResult r = summarize("GET", MENU, "mixed", readers, o.duration);
            writes.add(w);
            writes.add(r);
            line(String.format(Locale.ROOT, "mixed: %.1f cases/s and %.1f menus/s at the same time", w.perSecond, r.perSecond));
            Stream.of(submitters).forEach(s -> numbers.addAll(s.caseNumbers));
            rss.put("after the mixed phase", k.rssKb());
        }
        checkDeliveries(k, http, numbers);
    }

    /** A citizen at a terminal registered for the run, with the ID card it logs in with. */
    static final class Citizen {
        final int n;
        final String terminal;
        final String loginJson;
        String terminalToken;
        /** Bearer token of the live session; once the load runs, only the citizen's own client thread uses it. */
        volatile String session;

        Citizen(int n) {
            this.n = n;
            this.terminal = String.format(Locale.ROOT, "bench-%02d", n);
            String id = residentId("420602", LocalDate.of(1980, 1, 1).plusDays(n), n % 1000);
            this.loginJson = "{\"method\": \"idcard\", \"card\": {\"name\": \"测试" + String.format(Locale.ROOT, "%02d", n)
                    + "\", \"idNumber\": \"" + id + "\", \"validFrom\": \"20200101\", \"validTo\": \"20400101\"}}";
        }

        void register(HttpClient http) throws IOException {
            String body = "{\"id\": \"" + terminal + "\", \"name\": \"Bench " + String.format(Locale.ROOT, "%02d", n)
                    + "\", \"capabilities\": " + TERMINAL_CAPABILITIES + "}";
            HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/halls/" + HALL + "/terminals"))
                    .header("Authorization", ADMIN).header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
            terminalToken = token(r, 201, "registering terminal " + terminal);
        }

        void login(HttpClient http) throws IOException {
            HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/terminals/" + terminal + "/sessions"))
                    .header("X-Terminal-Token", terminalToken).header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(loginJson, StandardCharsets.UTF_8)));
            session = token(r, 201, "logging a citizen in at " + terminal);
        }

        static String token(HttpResponse<String> r, int expected, String what) throws IOException {
            Matcher m = r == null ? null : TOKEN.matcher(r.body());
            if (r == null || r.statusCode() != expected || !m.find()) {
                throw new IOException(what + ": expected " + expected + " with a token, got " + describe(r));
            }
            return m.group(1);
        }
    }

    static void loginAll(List<Citizen> citizens, HttpClient http) throws IOException {
        long t = System.nanoTime();
        for (Citizen c : citizens) {
            c.login(http);
        }
        line("logged " + citizens.size() + " citizens in (one ID-card session per terminal) in " + sinceMs(t) + " ms");
    }

    /** Clients that each submit their citizen's case and expect 201. */
    static Worker[] citizenClients(List<Citizen> citizens, int durationS) {
        URI uri = URI.create(BASE + CASES);
        Worker[] workers = new Worker[citizens.size()];
        for (int i = 0; i < workers.length; i++) {
            Citizen c = citizens.get(i);
            workers[i] = new Worker("citizen-" + c.terminal, durationS, 500, (w, measured) -> {
                HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + c.session).header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(CASE_JSON, StandardCharsets.UTF_8)).build();
                HttpResponse<byte[]> r = w.client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                String body = new String(r.body(), StandardCharsets.UTF_8);
                if (r.statusCode() == 201) {
                    w.bodyBytes = r.body().length;
                    Matcher m = CASE_NUMBER.matcher(body);
                    if (m.find()) {
                        w.caseNumbers.add(m.group(1));
                    }
                    if (measured && !FORWARDED.matcher(body).find()) {
                        w.notForwarded++;
                    }
                    return null;
                }
                String error = "HTTP " + r.statusCode() + " " + abbreviate(body);
                if (r.statusCode() == 401 && body.contains("session_required")) {
                    // The session ended (idle timeout, or another login at the terminal): log in again, go on.
                    try {
                        c.login(w.client);
                        w.relogins++;
                    } catch (IOException e) {
                        error += "; logging in again failed: " + e.getMessage();
                    }
                }
                return error;
            });
        }
        return workers;
    }

    /** A valid 18-character resident ID number: 17 digits and the GB 11643 check character. */
    static String residentId(String region, LocalDate birth, int sequence) {
        String body = region + DateTimeFormatter.BASIC_ISO_DATE.format(birth) + String.format(Locale.ROOT, "%03d", sequence);
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (body.charAt(i) - '0') * weights[i];
        }
        return body + "10X98765432".charAt(sum % 11);
    }

    /**
     * Every case should reach its back office once: the sandbox is idempotent on the case number
     * and counts deliveries. Looks up an even spread of the submitted cases there.
     */
    static void checkDeliveries(Karaf k, HttpClient http, List<String> numbers) {
        if (numbers.isEmpty()) {
            return;
        }
        Map<String, String> cfg = cfg(k.home.resolve("etc/org.budayang.backoffice-housingfund.cfg"));
        String auth = "Basic " + Base64.getEncoder().encodeToString((cfg.getOrDefault("user", "sandbox") + ":"
                + cfg.getOrDefault("password", "sandbox")).getBytes(StandardCharsets.UTF_8));
        int step = Math.max(1, numbers.size() / DELIVERY_CHECKS);
        int checked = 0;
        int once = 0;
        int more = 0;
        int absent = 0;
        int most = 0;
        String example = null;
        for (int i = 0; i < numbers.size(); i += step) {
            String number = numbers.get(i);
            String dept = number.substring(0, Math.max(0, number.indexOf('-'))).toLowerCase(Locale.ROOT);
            HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/sandbox/" + dept + "/cases/" + number))
                    .header("Authorization", auth).GET());
            checked++;
            Matcher m = r == null || r.statusCode() != 200 ? null : DELIVERIES.matcher(r.body());
            if (m == null || !m.find()) {
                absent++;
                continue;
            }
            int d = Integer.parseInt(m.group(1));
            most = Math.max(most, d);
            if (d == 1) {
                once++;
            } else {
                more++;
                if (example == null) {
                    example = number;
                }
            }
        }
        deliveryCheck = String.format(Locale.ROOT, "%d of the %d submitted cases looked up in the sandbox back office: "
                + "%d delivered once, %d more than once (at most %d deliveries%s), %d not there", checked, numbers.size(), once, more,
                most, example == null ? "" : ", e.g. " + example, absent);
        line("deliveries: " + deliveryCheck);
    }

    /** The housing fund back office the submissions are forwarded to, as configured in the instance. */
    static String backOfficeSettings(Path home) {
        Map<String, String> cfg = cfg(home.resolve("etc/org.budayang.backoffice-housingfund.cfg"));
        return "url " + cfg.getOrDefault("url", "?") + ", timeout " + cfg.getOrDefault("timeout.ms", "?") + " ms";
    }

    /** key = value lines of a Karaf .cfg file. */
    static Map<String, String> cfg(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : readOr(file, "").split("\n")) {
            int eq = l.indexOf('=');
            if (!l.trim().startsWith("#") && eq > 0) {
                out.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
            }
        }
        return out;
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    /**
     * Hot deploy on the running instance, in rounds: remove tax through the API, bring it back by
     * dropping the jar into deploy/, take it away by deleting the file, bring it back by upload.
     */
    static void hotDeploy(Options o, Karaf k) throws Exception {
        Path jar = o.taxJar;
        if (!Files.isRegularFile(jar)) {
            // The distribution ships the same bundle in its system/ repository.
            Path shipped = k.home.resolve("system/org/budayang/org.budayang.dept.tax/0.2.0-SNAPSHOT/org.budayang.dept.tax-0.2.0-SNAPSHOT.jar");
            line("tax jar not at " + jar + ", using the one shipped in the distribution: " + shipped);
            jar = shipped;
        }
        if (!Files.isRegularFile(jar)) {
            problem("no tax bundle jar found; hot deploy skipped");
            return;
        }
        byte[] bytes = Files.readAllBytes(jar);
        line("hot deploy: " + o.deployRounds + " rounds with " + jar.getFileName() + " (" + bytes.length
                + " bytes); deploy/ is polled every " + fileinstallPoll + " ms by Felix FileInstall");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Path deployDir = k.home.resolve("deploy");
        Path staged = k.home.resolve("data/tmp/bench-" + jar.getFileName()); // same file system: the move is atomic
        Path target = deployDir.resolve(jar.getFileName());
        Files.createDirectories(staged.getParent());
        for (int round = 1; round <= o.deployRounds; round++) {
            StringBuilder out = new StringBuilder("hot deploy round " + round + ":");

            // (a) DELETE, then deploy/.
            long t = System.nanoTime();
            HttpResponse<String> del = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/modules/tax"))
                    .header("Authorization", ADMIN).DELETE());
            long deleteMs = sinceMs(t);
            if (del == null || del.statusCode() != 204) {
                fail("DELETE /api/v1/modules/tax", round, "expected 204, got " + describe(del));
            } else {
                record("DELETE /api/v1/modules/tax (response)", deleteMs);
                out.append(" DELETE ").append(deleteMs).append(" ms;");
            }
            if (!hasTax(http).equals(Optional.of(false))) {
                fail("DELETE /api/v1/modules/tax", round, "tax still in the demo-02 menu right after the DELETE");
                // Wait it out so that the deploy/ timing below is not a no-op.
                awaitMenu(http, false, 10_000);
            }
            Files.write(staged, bytes);
            t = System.nanoTime();
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            long in = awaitMenu(http, true, 30_000);
            if (in < 0) {
                fail("deploy/: jar copied -> tax in the menu", round, "tax not in the demo-02 menu after 30 s");
            } else {
                record("deploy/: jar copied -> tax in the menu", in);
                out.append(" deploy/ in ").append(in).append(" ms;");
            }

            // (b) delete the file.
            t = System.nanoTime();
            Files.deleteIfExists(target);
            long gone = awaitMenu(http, false, 30_000);
            if (gone < 0) {
                fail("deploy/: jar deleted -> tax gone from the menu", round, "tax still in the demo-02 menu after 30 s");
            } else {
                record("deploy/: jar deleted -> tax gone from the menu", gone);
                out.append(" deploy/ out ").append(gone).append(" ms;");
            }

            // (c) upload.
            t = System.nanoTime();
            HttpResponse<String> up = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/modules"))
                    .header("Authorization", ADMIN).header("Content-Type", "application/java-archive")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
            long upMs = sinceMs(t);
            if (up == null || up.statusCode() != 200 || !STATE_ACTIVE.matcher(up.body()).find()) {
                fail("POST /api/v1/modules (response)", round, "expected 200 with \"state\":\"active\", got " + describe(up));
            } else {
                record("POST /api/v1/modules (response)", upMs);
                out.append(" upload ").append(upMs).append(" ms;");
            }
            Optional<Boolean> now = hasTax(http);
            if (now.equals(Optional.of(true))) {
                record("menu has tax right after the upload returned", 1);
                out.append(" in the menu at once");
            } else {
                fail("menu has tax right after the upload returned", round,
                        now.isEmpty() ? "menu request failed" : "tax not in the demo-02 menu when the upload returned");
                out.append(" NOT in the menu at once");
                if (awaitMenu(http, true, 30_000) < 0) {
                    problem("tax never came back after round " + round + "; hot deploy stopped");
                    line(out.toString());
                    return;
                }
            }
            line(out.toString());
        }
    }

    /** Whether the demo-02 menu has the tax department; empty if the menu cannot be read. */
    static Optional<Boolean> hasTax(HttpClient http) {
        HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + MENU_TAX)).GET());
        if (r == null || r.statusCode() != 200) {
            return Optional.empty();
        }
        return Optional.of(TAX_DEPARTMENT.matcher(r.body()).find());
    }

    /** Polls the demo-02 menu every 20 ms; milliseconds until tax is (or is not) in it, -1 on timeout. */
    static long awaitMenu(HttpClient http, boolean present, long timeoutMs) throws InterruptedException {
        long t = System.nanoTime();
        long until = t + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < until) {
            if (hasTax(http).equals(Optional.of(present))) {
                return sinceMs(t);
            }
            Thread.sleep(POLL_MS);
        }
        return -1;
    }

    static void record(String step, long ms) {
        deploy.computeIfAbsent(step, s -> new ArrayList<>()).add(ms);
        deployFailures.putIfAbsent(step, 0);
    }

    static void fail(String step, int round, String why) {
        deploy.computeIfAbsent(step, s -> new ArrayList<>());
        deployFailures.merge(step, 1, Integer::sum);
        problem("hot deploy round " + round + ", " + step + ": " + why);
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest.Builder b) {
        try {
            return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static String describe(HttpResponse<String> r) {
        if (r == null) {
            return "no answer";
        }
        String body = r.body().length() > 300 ? r.body().substring(0, 300) + "..." : r.body();
        return r.statusCode() + " " + body;
    }

    // ---- one Karaf instance -------------------------------------------------------------------

    static Karaf unpack(Options o, Path tarball, Path dir, boolean budayang) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        // tar keeps the executable bits of bin/ and is on every Linux; the JDK has no tar reader.
        Process p = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("tar.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("tar -xzf " + tarball + " failed, see " + dir.resolve("tar.log"));
        }
        try (Stream<Path> s = Files.list(dir)) {
            Path home = s.filter(f -> Files.isExecutable(f.resolve("bin/karaf"))).findFirst()
                    .orElseThrow(() -> new IOException("no */bin/karaf in " + tarball));
            return new Karaf(dir, home);
        }
    }

    static final class Karaf {
        final Path dir;
        final Path home;
        Process process;
        ProcessHandle jvm;
        Path java17;

        Karaf(Path dir, Path home) {
            this.dir = dir;
            this.home = home;
        }

        Path log() {
            return home.resolve("data/log/karaf.log");
        }

        /**
         * Starts {@code bin/karaf server} (no console, stays a child of ours so we own its pid) and
         * polls every 20 ms. Budayang is ready at the first 200 of the menu, vanilla Karaf at the
         * first HTTP answer of any status (it has no application, a Jetty 404 means it serves).
         */
        StartResult start(Path java17, boolean budayang, int timeoutS) throws Exception {
            if (!awaitPortsFree(60_000)) {
                return new StartResult(-1, -1, -1, false, "ports " + Arrays.toString(KARAF_PORTS) + " still in use");
            }
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile());
            Map<String, String> env = pb.environment();
            // Whatever the caller's shell has set must not point this instance elsewhere or tune it.
            env.keySet().removeIf(k -> k.startsWith("KARAF_") || k.equals("JAVA_OPTS") || k.equals("EXTRA_JAVA_OPTS")
                    || k.equals("JAVA_MIN_MEM") || k.equals("JAVA_MAX_MEM"));
            env.put("JAVA_HOME", java17.toString());
            env.put("PATH", java17.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(1)).build();
            // A short timeout: while pax-web restarts Jetty during the boot, a connection the first
            // connector accepted is never answered; a long timeout would add itself to the figure.
            HttpRequest req = HttpRequest.newBuilder(URI.create(BASE + (budayang ? MENU : "/")))
                    .timeout(Duration.ofMillis(500)).GET().build();

            this.java17 = java17;
            long t0 = System.nanoTime();
            process = pb.start();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutS);
            long httpMs = -1;
            String last = "no answer";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return new StartResult(httpMs, -1, -1, false, "bin/karaf exited with " + process.exitValue()
                            + ", see " + dir.resolve("console.log"));
                }
                try {
                    HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                    long now = System.nanoTime();
                    if (httpMs < 0) {
                        httpMs = TimeUnit.NANOSECONDS.toMillis(now - t0);
                    }
                    last = "HTTP " + r.statusCode();
                    if (!budayang || r.statusCode() == 200) {
                        long readyMs = TimeUnit.NANOSECONDS.toMillis(now - t0);
                        jvm = findJvm(5_000);
                        return new StartResult(httpMs, readyMs, rssKb(), true, "");
                    }
                } catch (ConnectException e) {
                    last = "connection refused";
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(POLL_MS);
            }
            return new StartResult(httpMs, -1, -1, false, "no " + (budayang ? "200 from the menu" : "HTTP answer")
                    + " within " + timeoutS + " s, last: " + last);
        }

        /** bin/karaf is a shell script that runs java as its child; the JVM is what we measure. */
        ProcessHandle findJvm(long timeoutMs) throws InterruptedException {
            long until = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < until) {
                Optional<ProcessHandle> j = process.descendants().filter(h -> cmdline(h.pid()).contains("org.apache.karaf.main.Main"))
                        .findFirst();
                if (j.isPresent()) {
                    return j.get();
                }
                Thread.sleep(POLL_MS);
            }
            problem("no Karaf JVM found under pid " + process.pid());
            return null;
        }

        long rssKb() {
            if (jvm == null) {
                return -1;
            }
            for (String l : readOr(Path.of("/proc/" + jvm.pid() + "/status"), "").split("\n")) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        }

        /** The heap settings the JVM actually got, for the report (Karaf 4.4 sets none by default). */
        String heapArgs() {
            if (jvm == null) {
                return "?";
            }
            List<String> out = new ArrayList<>();
            for (String a : cmdline(jvm.pid()).split(" ")) {
                if (a.startsWith("-Xm") || a.startsWith("-XX:MaxRAM") || a.startsWith("-XX:+Use") && a.endsWith("GC")) {
                    out.add(a);
                }
            }
            return out.isEmpty() ? "none (JVM defaults)" : String.join(" ", out);
        }

        /**
         * bin/stop first (the clean way: Karaf stops its bundles), then SIGTERM, then SIGKILL,
         * each bounded; then waits until the ports are free for the next instance.
         */
        void stopAndClean(boolean keep) {
            boolean clean = true;
            try {
                if (process != null && process.isAlive()) {
                    long t = System.nanoTime();
                    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/stop").toString()).directory(home.toFile())
                            .redirectErrorStream(true).redirectOutput(dir.resolve("stop.log").toFile());
                    pb.environment().keySet().removeIf(k -> k.startsWith("KARAF_") || k.equals("JAVA_OPTS"));
                    pb.environment().put("JAVA_HOME", java17.toString());
                    Process stop = pb.start();
                    if (!stop.waitFor(30, TimeUnit.SECONDS)) {
                        stop.destroyForcibly();
                    }
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        clean = false;
                        problem(home.getFileName() + " did not stop within 30 s of bin/stop; sending SIGTERM");
                        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
                        tree.forEach(ProcessHandle::destroy);
                        process.destroy();
                        if (!process.waitFor(15, TimeUnit.SECONDS)) {
                            tree.forEach(ProcessHandle::destroyForcibly);
                            process.destroyForcibly();
                            process.waitFor(10, TimeUnit.SECONDS);
                        }
                    }
                    if (jvm != null) {
                        jvm.onExit().get(15, TimeUnit.SECONDS);
                    }
                    line("  stopped " + dir.getFileName() + " in " + sinceMs(t) + " ms");
                }
            } catch (Exception e) {
                clean = false;
                problem("stopping " + home + ": " + e);
            }
            if (!awaitPortsFree(60_000)) {
                problem("ports " + Arrays.toString(KARAF_PORTS) + " still in use 60 s after stopping " + dir.getFileName());
            }
            if (!keep && clean && !problemsMention(dir.getFileName().toString())) {
                deleteTree(dir);
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A port is free when nothing accepts on it and it can be bound again. */
    static boolean awaitPortsFree(long timeoutMs) {
        long until = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < until) {
            boolean free = true;
            for (int port : KARAF_PORTS) {
                free &= portFree(port);
            }
            if (free) {
                return true;
            }
            sleep(200);
        }
        return false;
    }

    static boolean portFree(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return false; // someone accepts
        } catch (IOException expected) {
            // refused: nobody listens on loopback
        }
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true); // as Jetty and Karaf do; TIME_WAIT does not block them
            ss.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String cmdline(long pid) {
        return readOr(Path.of("/proc/" + pid + "/cmdline"), "").replace('\0', ' ');
    }

    static Path findJava17(Options o) {
        List<Path> candidates = new ArrayList<>();
        if (o.javaHome != null) {
            candidates.add(o.javaHome);
        }
        if (Runtime.version().feature() == 17) {
            candidates.add(Path.of(System.getProperty("java.home")));
        }
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"));
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("bin/java")) && javaVersion(c).matches("(?s).*version \"17[.\"].*")) {
                return c;
            }
        }
        die("no Java 17 found (tried " + candidates + "); Karaf 4.4 does not start on newer Java. Use --java-home");
        return null;
    }

    static String javaVersion(Path home) {
        try {
            Process p = new ProcessBuilder(home.resolve("bin/java").toString(), "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out.trim();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    static String machine(Path java17) {
        String cpu = "?";
        for (String l : readOr(Path.of("/proc/cpuinfo"), "").split("\n")) {
            if (l.startsWith("model name")) {
                cpu = l.substring(l.indexOf(':') + 1).trim();
                break;
            }
        }
        long memKb = -1;
        for (String l : readOr(Path.of("/proc/meminfo"), "").split("\n")) {
            if (l.startsWith("MemTotal:")) {
                memKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        String java = javaVersion(java17).lines().filter(l -> l.contains("Runtime")).findFirst().orElse(javaVersion(java17));
        return "CPU: " + Runtime.getRuntime().availableProcessors() + " × " + cpu
                + "\nMemory: " + (memKb < 0 ? "?" : String.format(Locale.ROOT, "%.1f GiB", memKb / 1048576.0))
                + "\nOS: " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + "\nJava (Karaf): " + java + " at " + java17;
    }

    static String markdown(Options o, String started, String machine) {
        StringBuilder b = new StringBuilder();
        b.append("## Benchmark run ").append(started).append("\n\n");
        for (String l : machine.split("\n")) {
            b.append("- ").append(l).append("\n");
        }
        b.append("- Load average (1/5/15 min) before the run: ").append(loadBefore).append("\n");
        b.append("- Karaf JVM heap settings: ").append(karafJvmArgs.isEmpty() ? "?" : karafJvmArgs).append("\n");
        b.append("- Command: `").append(o.command).append("`\n");
        b.append("- Distribution: `").append(o.distroName).append("`; vanilla: `").append(o.vanilla.getFileName()).append("`\n");
        b.append("- The load generator runs on the same machine and competes with Karaf for the same cores.\n\n");

        if (!budayangStarts.isEmpty()) {
            b.append("### Cold start\n\n");
            b.append("Fresh unpack each time (empty `data/`), `bin/karaf server`, time from process start; polled every 20 ms, each poll given up after 500 ms (during the boot pax-web restarts Jetty, and a connection the first connector took is never answered). ")
                    .append("Runs alternate Budayang / vanilla. Vanilla Karaf 4.4.10 has `scr, http, http-whiteboard` added to `featuresBoot` ")
                    .append("and is ready at its first HTTP answer (a Jetty 404).\n\n");
            b.append("| Run | Budayang: first menu 200 (ms) | Budayang: first HTTP answer (ms) | Vanilla + scr, http, http-whiteboard: first HTTP answer (ms) | Budayang RSS (MB) | Vanilla RSS (MB) |\n");
            b.append("|---|---:|---:|---:|---:|---:|\n");
            for (int i = 0; i < budayangStarts.size(); i++) {
                StartResult bu = budayangStarts.get(i);
                StartResult va = i < vanillaStarts.size() ? vanillaStarts.get(i) : null;
                b.append("| ").append(i + 1).append(" | ").append(ok(bu, bu.readyMs)).append(" | ").append(ok(bu, bu.httpMs))
                        .append(" | ").append(va == null ? "–" : ok(va, va.httpMs)).append(" | ").append(ok(bu, bu.rssKb / 1024))
                        .append(" | ").append(va == null ? "–" : ok(va, va.rssKb / 1024)).append(" |\n");
            }
            long bReady = median(budayangStarts.stream().filter(StartResult::ok).map(StartResult::readyMs).toList());
            long bHttp = median(budayangStarts.stream().filter(StartResult::ok).map(StartResult::httpMs).toList());
            long vHttp = median(vanillaStarts.stream().filter(StartResult::ok).map(StartResult::httpMs).toList());
            long bRss = median(budayangStarts.stream().filter(StartResult::ok).map(r -> r.rssKb / 1024).toList());
            long vRss = median(vanillaStarts.stream().filter(StartResult::ok).map(r -> r.rssKb / 1024).toList());
            b.append("| **median** | **").append(num(bReady)).append("** | ").append(num(bHttp)).append(" | **").append(num(vHttp))
                    .append("** | ").append(num(bRss)).append(" | ").append(num(vRss)).append(" |\n\n");
            b.append("Ratio Budayang (menu 200) / vanilla (HTTP answer), medians: **").append(ratio(bReady, vHttp)).append("**")
                    .append("; first HTTP answer only: ").append(ratio(bHttp, vHttp)).append("\n\n");
            line(String.format(Locale.ROOT, "cold start medians: Budayang menu 200 %s ms, vanilla HTTP %s ms, ratio %s", num(bReady),
                    num(vHttp), ratio(bReady, vHttp)));
        }

        if (!timelines.isEmpty()) {
            b.append("### Where a cold start's time goes\n\n");
            b.append("Read off each Budayang run's `karaf.log` (ms since the process was launched; median over the runs). ")
                    .append("A bundle's start is the time from its line in the features service's \"Starting bundles:\" to the next ")
                    .append("one: its activator and the components Declarative Services activates on that thread. The database ")
                    .append("opens on a thread of its own beside them.\n\n| Step | ms since launch |\n|---|---:|\n");
            Map<String, List<Long>> byPhase = new LinkedHashMap<>();
            timelines.forEach(t -> t.phases().forEach((k, v) -> byPhase.computeIfAbsent(k.replaceAll(" \\(took \\d+ ms", " (took … ms"),
                    x -> new ArrayList<>()).add(v)));
            byPhase.entrySet().stream().sorted(Comparator.comparingLong(e -> median(e.getValue())))
                    .forEach(e -> b.append("| ").append(e.getKey()).append(" | ").append(num(median(e.getValue()))).append(" |\n"));
            Map<String, List<Long>> byBundle = new LinkedHashMap<>();
            timelines.forEach(t -> t.bundles().forEach((k, v) -> byBundle.computeIfAbsent(k, x -> new ArrayList<>()).add(v)));
            b.append("\nSlowest bundle starts (median ms): ");
            b.append(byBundle.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, List<Long>> e) -> median(e.getValue()))
                    .reversed()).limit(12).map(e -> "`" + e.getKey() + "` " + median(e.getValue())).reduce((x, y) -> x + ", " + y)
                    .orElse("–"));
            long all = byBundle.values().stream().mapToLong(v -> median(v)).sum();
            b.append("; all ").append(byBundle.size()).append(" bundle starts together ").append(num(all)).append(" ms.\n\n");
        }

        if (!restarts.isEmpty()) {
            b.append("### Restart after kill -9\n\n");
            b.append("One instance: started fresh, then ").append(restarts.size()).append(" times killed with SIGKILL 2 s after it ")
                    .append("was ready (no shutdown, Derby not closed) and started again; time from the new process to the start-up ")
                    .append("gate's \"ready\" (health 200) and to the first menu 200. No load on it meanwhile.\n\n");
            b.append("| Restart | API ready (ms) | first menu 200 (ms) |\n|---|---:|---:|\n");
            for (int i = 0; i < restarts.size(); i++) {
                b.append("| ").append(i + 1).append(" | ").append(num(restarts.get(i)[0])).append(" | ").append(num(restarts.get(i)[1]))
                        .append(" |\n");
            }
            List<Long> ready = restarts.stream().filter(r -> r[1] >= 0).map(r -> r[1]).toList();
            b.append("| **median** | ").append(num(median(restarts.stream().filter(r -> r[0] >= 0).map(r -> r[0]).toList())))
                    .append(" | **").append(num(median(ready))).append("** |\n");
            b.append("\nMax first menu 200 after a kill: ").append(ready.stream().mapToLong(Long::longValue).max().orElse(-1))
                    .append(" ms.\n\n");
            line("restart after kill -9: median first menu 200 " + num(median(ready)) + " ms");
        }

        if (!loads.isEmpty()) {
            LoadResult first = loads.get(0);
            b.append("### Throughput and latency\n\n");
            b.append(first.clients).append(" concurrent clients, each its own `java.net.http.HttpClient` (HTTP/1.1, keep-alive) ")
                    .append("in a closed loop, ").append(o.warmup).append(" s warm-up (not counted) then ").append(first.seconds)
                    .append(" s measured, on a freshly started Budayang (first menu 200 after ").append(num(loadInstanceReadyMs))
                    .append(" ms). Errors: non-200 or exception.\n\n");
            b.append("| Endpoint | Body (bytes) | Requests | Requests/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | Errors |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (LoadResult r : loads) {
                b.append("| `GET ").append(r.endpoint).append("` | ").append(r.bodyBytes).append(" | ").append(r.requests).append(" | ")
                        .append(String.format(Locale.ROOT, "%.0f", r.perSecond)).append(" | ").append(ms(r.p50)).append(" | ")
                        .append(ms(r.p99)).append(" | ").append(ms(r.p999)).append(" | ").append(ms(r.max)).append(" | ")
                        .append(r.errors).append(" |\n");
            }
            if (loads.size() == 2 && loads.get(1).perSecond > 0) {
                b.append("\nRatio menu / static throughput: **")
                        .append(String.format(Locale.ROOT, "%.2f", loads.get(0).perSecond / loads.get(1).perSecond)).append("**\n");
            }
            b.append("\n");
        }

        if (!writes.isEmpty()) {
            b.append("### Case submissions (writes)\n\n");
            LoadResult cases = writes.stream().filter(r -> r.method.equals("POST")).findFirst().orElse(writes.get(0));
            b.append(cases.clients).append(" citizens, each logged in with an ID card at its own terminal registered for the run ")
                    .append("(`POST /api/v1/halls/").append(HALL).append("/terminals`), each with its own `java.net.http.HttpClient` ")
                    .append("(HTTP/1.1, keep-alive), submit `POST ").append(CASES).append("` in a closed loop: housing fund item `")
                    .append(CASE_ITEM).append("` (退休提取, withdrawal on retirement), situation `self`, form `phone` + `bankAccount`. ")
                    .append(o.warmup).append(" s warm-up (not counted) then ").append(cases.seconds).append(" s measured per phase, on the ")
                    .append("same instance as above (first menu 200 after ").append(num(loadInstanceReadyMs)).append(" ms). ")
                    .append("Errors: anything but 201 (for the menu: anything but 200), or an exception.\n\n");
            b.append("Every submission is one Derby transaction (embedded Derby: person upsert, the department's case counter ")
                    .append("row for the day, which serializes the numbering of all its submissions, the case row, its first history ")
                    .append("event), then, after the commit and before the answer, a synchronous forward to the sandbox back office ")
                    .append("over HTTP on the same node (").append(backOfficeSettings).append("; the same Jetty answers it) and a ")
                    .append("re-read of the case. The figures include that HTTP call.\n\n");
            b.append("Phases in the order they ran: ");
            List<String> order = new ArrayList<>();
            loads.stream().filter(r -> r.endpoint.equals(MENU)).findFirst().ifPresent(r -> order.add("menu alone"));
            loads.stream().filter(r -> r.endpoint.equals(STATIC)).findFirst().ifPresent(r -> order.add("static alone"));
            writes.stream().filter(r -> !(r.phase.equals("mixed") && r.method.equals("GET")))
                    .forEach(r -> order.add(r.phase.equals("mixed") ? "mixed (" + r.clients + " citizens submitting while "
                            + writes.get(writes.size() - 1).clients + " other clients fetch the demo-01 menu, same measured window)"
                            : r.method.equals("POST") ? "case submissions alone" : "menu " + r.phase));
            b.append(String.join(", then ", order)).append(". The first run meets the least warmed-up JIT: with short ")
                    .append("durations the menu runs after it are faster for that reason alone.\n\n");
            b.append("| Phase | Load | Clients | Requests | Requests/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | Errors |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            List<LoadResult> rows = new ArrayList<>();
            loads.stream().filter(r -> r.endpoint.equals(MENU)).findFirst().ifPresent(rows::add);
            rows.addAll(writes);
            for (LoadResult r : rows) {
                String phase = r.phase.equals("alone") ? (r.method.equals("GET") ? "menu alone (before any write)" : "cases alone")
                        : r.phase.equals("mixed") ? "mixed" : r.phase;
                b.append("| ").append(phase).append(" | `").append(r.method).append(' ').append(r.endpoint).append("` | ")
                        .append(r.clients).append(" | ").append(r.requests).append(" | ")
                        .append(String.format(Locale.ROOT, r.method.equals("POST") ? "%.1f" : "%.0f", r.perSecond)).append(" | ")
                        .append(ms(r.p50)).append(" | ").append(ms(r.p99)).append(" | ").append(ms(r.p999)).append(" | ")
                        .append(ms(r.max)).append(" | ").append(r.errors).append(" |\n");
            }
            b.append("\n");
            for (LoadResult r : writes) {
                if (r.method.equals("POST")) {
                    b.append("- Cases ").append(r.phase.equals("mixed") ? "in the mixed phase" : "alone").append(": **")
                            .append(String.format(Locale.ROOT, "%.1f", r.perSecond)).append(" cases/s**, p99 **").append(ms(r.p99))
                            .append(" ms**; ").append(r.notForwarded).append(" answered 201 without having reached the back office ")
                            .append("(`forwarded: false`), ").append(r.relogins).append(" re-logins after `401 session_required`")
                            .append(r.errorSamples.isEmpty() ? "" : "; first errors: "
                                    + String.join(" / ", r.errorSamples.stream().map(e -> "`" + e.replace("`", "'") + "`").toList()))
                            .append("\n");
                }
            }
            LoadResult alone = loads.stream().filter(r -> r.endpoint.equals(MENU)).findFirst().orElse(null);
            for (LoadResult r : writes) {
                if (r.method.equals("GET") && alone != null && alone.perSecond > 0) {
                    b.append("- Menu throughput ").append(r.phase.equals("mixed") ? "while citizens submit" : r.phase)
                            .append(" / menu alone: **").append(String.format(Locale.ROOT, "%.2f", r.perSecond / alone.perSecond))
                            .append("**\n");
                }
            }
            if (deliveryCheck != null) {
                b.append("- Deliveries: ").append(deliveryCheck).append("\n");
            }
            b.append("\n");
        }

        if (!deploy.isEmpty()) {
            b.append("### Hot deploy\n\n");
            b.append(o.deployRounds).append(" rounds on the running instance, tax department bundle, menu of demo-02 polled every 20 ms, each poll given up after 500 ms (during the boot pax-web restarts Jetty, and a connection the first connector took is never answered). ")
                    .append("Round 1 removes the tax feature shipped with the distribution, later rounds the uploaded bundle. ")
                    .append("`deploy/` is scanned by Felix FileInstall every ").append(fileinstallPoll).append(" ms.\n\n");
            b.append("| Step | Median (ms) | Max (ms) | Failures |\n|---|---:|---:|---:|\n");
            for (Map.Entry<String, List<Long>> e : deploy.entrySet()) {
                int failures = deployFailures.getOrDefault(e.getKey(), 0);
                if (e.getKey().startsWith("menu has tax")) {
                    b.append("| ").append(e.getKey()).append(" | ").append(e.getValue().size()).append(" of ")
                            .append(e.getValue().size() + failures).append(" rounds | | ").append(failures).append(" |\n");
                    continue;
                }
                List<Long> v = e.getValue();
                b.append("| ").append(e.getKey()).append(" | ").append(num(median(v))).append(" | ")
                        .append(v.isEmpty() ? "–" : String.valueOf(v.stream().mapToLong(Long::longValue).max().getAsLong()))
                        .append(" | ").append(failures).append(" |\n");
            }
            b.append("\n");
        }

        if (!rss.isEmpty()) {
            b.append("### Resident memory of the Budayang JVM (VmRSS)\n\n| Moment | MB |\n|---|---:|\n");
            rss.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v < 0 ? "?" : String.valueOf(v / 1024)).append(" |\n"));
            b.append("\n");
        }

        b.append(LockerBench.markdown());
        if (!problems.isEmpty()) {
            b.append("### Problems during the run\n\n");
            problems.forEach(p -> b.append("- ").append(p.replace("\n", " ")).append("\n"));
            b.append("\n");
        }
        return b.toString();
    }

    static String ok(StartResult r, long v) {
        return r.ok ? String.valueOf(v) : "failed";
    }

    static String num(long v) {
        return v < 0 ? "–" : String.valueOf(v);
    }

    static String ratio(long a, long b) {
        return a < 0 || b <= 0 ? "–" : String.format(Locale.ROOT, "%.2f", a / (double) b);
    }

    /** Median of the values (mean of the two middle ones for an even count); -1 if none. */
    static long median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> s = new ArrayList<>(values);
        s.sort(Comparator.naturalOrder());
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String ms(long nanos) {
        return nanos < 0 ? "–" : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    static long sinceMs(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    static String fileinstallPoll(Path home) {
        for (String l : readOr(home.resolve("etc/org.apache.felix.fileinstall-deploy.cfg"), "").split("\n")) {
            if (l.trim().startsWith("felix.fileinstall.poll")) {
                return l.substring(l.indexOf('=') + 1).trim();
            }
        }
        return "?";
    }

    static String readOr(Path p, String fallback) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | UncheckedIOException e) {
            return fallback;
        }
    }

    static boolean problemsMention(String s) {
        return problems.stream().anyMatch(p -> p.contains(s));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            line("could not delete " + dir + ": " + e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void line(String s) {
        System.out.println(s);
        System.out.flush();
    }

    static void problem(String s) {
        problems.add(s);
        line("PROBLEM: " + s);
    }

    static void die(String s) {
        System.err.println(s);
        System.exit(2);
    }
    // ---- 5. lockers ---------------------------------------------------------------------------

    /**
     * Smart file lockers ({@code --only locker,lockpty}), on an instance of their own that gets
     * extra cabinets before it starts.
     *
     * <p>{@code locker}: {@code --cabinets} cabinets (4 S compartments each), each on its own 8A
     * lock bus simulated in process ({@code sim:}, doors shut {@code --autoclose} ms after opening)
     * at its own terminal. One client per cabinet runs a closed loop: the citizen logged in at the
     * cabinet's terminal hands in paper for their case ({@code POST .../dropoffs}: reserve and
     * open), waits until the parcel is {@code stored} (the door watcher saw the door shut; polled
     * every 10 ms), then staff take it out with their login ({@code POST .../pickups}).
     *
     * <p>{@code lockpty}: (1) the bare round trip of one 8A open frame and its reply through a
     * socat pty pair, both ends in this program; (2) {@code POST .../compartments/{n}/open} (a
     * manual open: HTTP, two transactions and one {@code LockBoard.open}) on a board behind a
     * socat pty, answered by this program's 8A responder, against the same on a {@code sim:}
     * board in process. The difference of the two is what the serial path adds.
     */
    static final class LockerBench {
        static final StringBuilder report = new StringBuilder();
        static final String STAFF = "Basic " + Base64.getEncoder().encodeToString("staff:staff".getBytes(StandardCharsets.UTF_8));
        static final Pattern PARCEL_ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        static final Pattern PARCEL_STATE = Pattern.compile("\"state\"\\s*:\\s*\"([a-z_]+)\"");
        static final Pattern COMPARTMENT = Pattern.compile("\"number\":(\\d+),\"lock\":\"[^\"]*\",\"size\":\"[SML]\","
                + "\"state\":\"([a-z_]+)\",\"door\":\"([a-z]+)\"");
        static final Pattern EVENT = Pattern.compile("\"event\":\"([a-z_]+)\"");
        static final Pattern CREATED = Pattern.compile("\"createdAt\":\"([^\"]+)\"");
        static final Pattern STORED = Pattern.compile("\"storedAt\":\"([^\"]+)\"");
        /** How often a client asks whether its parcel is stored (the step itself is timed by the server). */
        static final int PARCEL_POLL_MS = 50;
        static final int COMPARTMENTS = 4;

        static String markdown() {
            return report.toString();
        }

        static String cabinet(int n) {
            return String.format(Locale.ROOT, "bench-c%02d", n);
        }

        static void run(Options o, Path java17, Path runDir) {
            Karaf k = null;
            Process socat = null;
            PtyBoard board = null;
            try {
                k = unpack(o, o.distro, runDir.resolve("budayang-locker"), true);
                Path etc = k.home.resolve("etc");
                Files.writeString(etc.resolve("org.budayang.locker.cfg"), "\ndoor.poll.millis = " + o.doorPoll + "\n",
                        StandardOpenOption.APPEND);
                if (o.has("locker")) {
                    for (int n = 1; n <= o.cabinets; n++) {
                        String terminal = String.format(Locale.ROOT, "bench-%02d", n);
                        Files.writeString(etc.resolve("org.budayang.device-benchlock" + n + ".cfg"), "id = bench-lock-" + n
                                + "\ntype = 8a\nport = sim:bench-lock-" + n + "\nterminal = " + terminal + "\nboards = 1\nlocks = "
                                + COMPARTMENTS + "\nautoclose = " + o.autoclose + "\n");
                        Files.writeString(etc.resolve("org.budayang.cabinet-bench" + n + ".cfg"), "id = " + cabinet(n)
                                + "\nhall = demo\nterminal = " + terminal + "\nlockDevice = bench-lock-" + n
                                + "\ncompartments = 1/1-" + COMPARTMENTS + ":S\n");
                    }
                }
                long[] raw = null;
                if (o.has("lockpty")) {
                    Path dir = runDir.resolve("pty");
                    raw = rawPty(dir.resolve("raw"), o.lockSamples);
                    socat = socat(dir.resolve("board"));
                    board = new PtyBoard(dir.resolve("board/sim"));
                    board.start();
                    Files.writeString(etc.resolve("org.budayang.device-benchpty.cfg"), "id = bench-pty\ntype = 8a\nport = "
                            + dir.resolve("board/dev") + "\nterminal = demo-03\nboards = 1\nlocks = 4\n");
                    Files.writeString(etc.resolve("org.budayang.cabinet-benchpty.cfg"), "id = bench-cpty\nhall = demo\n"
                            + "terminal = demo-03\nlockDevice = bench-pty\ncompartments = 1/1-4:S\n");
                    Files.writeString(etc.resolve("org.budayang.device-benchsim.cfg"), "id = bench-sim\ntype = 8a\n"
                            + "port = sim:bench-sim\nterminal = demo-03\nboards = 1\nlocks = 4\nautoclose = 1\n");
                    Files.writeString(etc.resolve("org.budayang.cabinet-benchsim.cfg"), "id = bench-csim\nhall = demo\n"
                            + "terminal = demo-03\nlockDevice = bench-sim\ncompartments = 1/1-4:S\n");
                }
                StartResult r = k.start(java17, true, o.startTimeout);
                if (!r.ok) {
                    problem("Budayang for the locker phase did not start: " + r.note + " (log: " + k.log() + ")");
                    return;
                }
                budayangEverStarted = true;
                if (karafJvmArgs.isEmpty()) {
                    karafJvmArgs = k.heapArgs();
                }
                line(String.format(Locale.ROOT, "locker instance up: first menu 200 after %d ms", r.readyMs));
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                List<String> cabinets = new ArrayList<>();
                if (o.has("locker")) {
                    for (int n = 1; n <= o.cabinets; n++) {
                        cabinets.add(cabinet(n));
                    }
                }
                if (o.has("lockpty")) {
                    cabinets.add("bench-cpty");
                    cabinets.add("bench-csim");
                }
                for (String c : cabinets) {
                    awaitOnline(http, c, 60_000);
                }
                if (o.has("locker")) {
                    ops(o, http);
                    rss.put("after the locker operations", k.rssKb());
                }
                if (o.has("lockpty")) {
                    openLatency(o, http, raw, board);
                }
            } catch (Exception e) {
                problem("locker phase aborted: " + e);
            } finally {
                if (board != null) {
                    board.stop();
                }
                if (socat != null) {
                    socat.destroy();
                }
                if (k != null) {
                    k.stopAndClean(o.keep);
                }
            }
        }

        static void awaitOnline(HttpClient http, String cabinet, long timeoutMs) throws IOException {
            long until = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < until) {
                HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/cabinets/" + cabinet)).GET());
                if (r != null && r.statusCode() == 200 && r.body().contains("\"online\":true")) {
                    return;
                }
                sleep(POLL_MS);
            }
            throw new IOException("cabinet " + cabinet + " not online within " + timeoutMs + " ms");
        }

        // ---- locker operations ------------------------------------------------------------------

        /** One cabinet's client: drop-off, door shut, staff pickup, over and over. */
        static final class Cycler implements Runnable {
            final Citizen citizen;
            final String number;
            final String cabinet;
            final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            long from;
            long to;
            long[] dropoff = new long[4096];
            long[] closed = new long[4096];
            long[] pickup = new long[4096];
            long[] cycle = new long[4096];
            int count;
            long errors;
            long fullWaits;
            long relogins;
            final List<String> errorSamples = new ArrayList<>();

            Cycler(Citizen citizen, String number, String cabinet) {
                this.citizen = citizen;
                this.number = number;
                this.cabinet = cabinet;
            }

            HttpResponse<String> post(String path, String auth, String json) throws IOException, InterruptedException {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
                if (auth != null) {
                    b.header("Authorization", auth);
                }
                return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            }

            void error(String what) {
                errors++;
                if (errorSamples.size() < ERROR_SAMPLES) {
                    errorSamples.add(what);
                }
                sleep(50);
            }

            @Override
            public void run() {
                String body = "{\"case\": \"" + number + "\", \"size\": \"S\"}";
                while (System.nanoTime() < to) {
                    try {
                        long t0 = System.nanoTime();
                        boolean measured = t0 >= from;
                        HttpResponse<String> r = post("/api/v1/cabinets/" + cabinet + "/dropoffs", "Bearer " + citizen.session, body);
                        if (r.statusCode() == 409 && r.body().contains("no_free_compartment")) {
                            fullWaits++;
                            sleep(5);
                            continue;
                        }
                        if (r.statusCode() == 401) {
                            citizen.login(client);
                            relogins++;
                            continue;
                        }
                        if (r.statusCode() != 201) {
                            error("drop-off: HTTP " + r.statusCode() + " " + abbreviate(r.body()));
                            continue;
                        }
                        Matcher m = PARCEL_ID.matcher(r.body());
                        m.find();
                        String parcel = m.group(1);
                        long t1 = System.nanoTime();
                        HttpRequest poll = HttpRequest.newBuilder(URI.create(BASE + "/api/v1/parcels/" + parcel))
                                .timeout(Duration.ofSeconds(10)).header("X-Terminal-Token", citizen.terminalToken).GET().build();
                        String state = "";
                        String body2 = "";
                        while (!state.equals("stored") && System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(30)) {
                            sleep(PARCEL_POLL_MS);
                            HttpResponse<String> p = client.send(poll, HttpResponse.BodyHandlers.ofString());
                            body2 = p.body();
                            Matcher sm = PARCEL_STATE.matcher(body2);
                            state = sm.find() ? sm.group(1) : "HTTP " + p.statusCode();
                        }
                        if (!state.equals("stored")) {
                            error("parcel " + parcel + " not stored within 30 s: " + state);
                            continue;
                        }
                        long t2 = System.nanoTime();
                        r = post("/api/v1/cabinets/" + cabinet + "/pickups", STAFF, "{\"case\": \"" + number + "\"}");
                        if (r.statusCode() != 200) {
                            error("pickup: HTTP " + r.statusCode() + " " + abbreviate(r.body()));
                            continue;
                        }
                        long t3 = System.nanoTime();
                        if (measured && t3 < to) {
                            if (count == cycle.length) {
                                dropoff = Arrays.copyOf(dropoff, count * 2);
                                closed = Arrays.copyOf(closed, count * 2);
                                pickup = Arrays.copyOf(pickup, count * 2);
                                cycle = Arrays.copyOf(cycle, count * 2);
                            }
                            dropoff[count] = t1 - t0;
                            // Server time from the reservation to the stored record: the open, the
                            // autoclose, the watcher noticing, and the storing transaction.
                            Matcher ca = CREATED.matcher(body2);
                            Matcher sa = STORED.matcher(body2);
                            closed[count] = ca.find() && sa.find() ? java.time.Duration.between(
                                    java.time.Instant.parse(ca.group(1)), java.time.Instant.parse(sa.group(1))).toNanos() : t2 - t1;
                            pickup[count] = t3 - t2;
                            cycle[count] = t3 - t0;
                            count++;
                        }
                    } catch (IOException e) {
                        error(e.toString());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        static void ops(Options o, HttpClient http) throws Exception {
            List<Cycler> cyclers = new ArrayList<>();
            long t = System.nanoTime();
            for (int n = 1; n <= o.cabinets; n++) {
                Citizen c = new Citizen(n);
                c.register(http);
                c.login(http);
                HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + CASES))
                        .header("Authorization", "Bearer " + c.session).header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(CASE_JSON, StandardCharsets.UTF_8)));
                Matcher m = r == null ? null : CASE_NUMBER.matcher(r.body());
                if (r == null || r.statusCode() != 201 || !m.find()) {
                    throw new IOException("submitting the case at " + c.terminal + ": " + describe(r));
                }
                cyclers.add(new Cycler(c, m.group(1), cabinet(n)));
            }
            line("lockers: " + o.cabinets + " cabinets (" + COMPARTMENTS + " S compartments each, sim: boards, autoclose "
                    + o.autoclose + " ms, doors polled every " + o.doorPoll + " ms), terminals, citizens and cases ready in "
                    + sinceMs(t) + " ms; " + o.warmup + " s warm-up + " + o.duration + " s measured");
            long begin = System.nanoTime();
            long from = begin + TimeUnit.SECONDS.toNanos(o.warmup);
            long to = from + TimeUnit.SECONDS.toNanos(o.duration);
            List<Thread> threads = new ArrayList<>();
            for (Cycler c : cyclers) {
                c.from = from;
                c.to = to;
                Thread th = new Thread(c, "locker-" + c.cabinet);
                th.setDaemon(true);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join(TimeUnit.SECONDS.toMillis(o.warmup + o.duration + 60));
            }
            int n = cyclers.stream().mapToInt(c -> c.count).sum();
            long errors = cyclers.stream().mapToLong(c -> c.errors).sum();
            long waits = cyclers.stream().mapToLong(c -> c.fullWaits).sum();
            List<String> samples = new ArrayList<>();
            cyclers.forEach(c -> samples.addAll(c.errorSamples));
            long[][] steps = new long[4][];
            for (int s = 0; s < 4; s++) {
                long[] all = new long[n];
                int at = 0;
                for (Cycler c : cyclers) {
                    long[] src = s == 0 ? c.dropoff : s == 1 ? c.closed : s == 2 ? c.pickup : c.cycle;
                    System.arraycopy(src, 0, all, at, c.count);
                    at += c.count;
                }
                Arrays.sort(all);
                steps[s] = all;
            }
            double perSecond = n / (double) o.duration;
            line(String.format(Locale.ROOT, "lockers: %d cycles in %d s = %.1f cycles/s (%.1f door operations/s), cycle p50 %s "
                    + "p99 %s ms, errors %d, waits for a free compartment %d", n, o.duration, perSecond, perSecond * 2,
                    ms(rank(steps[3], 0.5)), ms(rank(steps[3], 0.99)), errors, waits));
            samples.forEach(e -> line("  error: " + e));
            if (errors > 0) {
                problem(errors + " failed locker cycles, first: " + samples.get(0));
            }
            // Afterwards every door shuts and every compartment is free again; the audit log agrees.
            sleep(o.autoclose + 3L * o.doorPoll + 500);
            int busy = 0;
            Map<String, Integer> events = new java.util.TreeMap<>();
            for (int c = 1; c <= o.cabinets; c++) {
                HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/cabinets/" + cabinet(c))).GET());
                Matcher m = COMPARTMENT.matcher(r.body());
                while (m.find()) {
                    busy += m.group(2).equals("free") && m.group(3).equals("closed") ? 0 : 1;
                }
                HttpResponse<String> a = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/cabinets/" + cabinet(c)
                        + "/audit?limit=1000")).header("Authorization", ADMIN).GET());
                Matcher e = EVENT.matcher(a.body());
                while (e.find()) {
                    events.merge(e.group(1), 1, Integer::sum);
                }
            }
            line("lockers afterwards: " + busy + " compartments not free; audit events (last 1000 per cabinet) " + events);
            if (busy > 0) {
                problem(busy + " compartments not free after the locker run");
            }

            report.append("### Smart file lockers\n\n");
            report.append(o.cabinets).append(" cabinets in hall demo, ").append(COMPARTMENTS).append(" S compartments each, ")
                    .append("each on its own simulated 8A lock bus (`sim:`, in process; doors shut ").append(o.autoclose)
                    .append(" ms after opening); the locker service polls open doors every ").append(o.doorPoll)
                    .append(" ms (`door.poll.millis`). One client per cabinet, its own `HttpClient`, in a closed loop: the citizen ")
                    .append("logged in at the cabinet's terminal hands in paper for their case (`POST /api/v1/cabinets/{c}/dropoffs`: ")
                    .append("reserve a compartment in one transaction, `LockBoard.open`, record it in a second), waits until the ")
                    .append("parcel is `stored` (`GET /api/v1/parcels/{id}` every ").append(PARCEL_POLL_MS).append(" ms; the door watcher saw the door shut and in ")
                    .append("one transaction stored the parcel with a new code, noted it in the case history and queued the staff ")
                    .append("SMS), then staff take it out with their login (`POST /api/v1/cabinets/{c}/pickups`: intent, ")
                    .append("`LockBoard.open`, record in one transaction); the compartment is freed when the watcher sees the door ")
                    .append("shut. Embedded Derby. ").append(o.warmup).append(" s warm-up, ").append(o.duration).append(" s measured.\n\n");
            report.append("| Step | p50 (ms) | p99 (ms) | max (ms) |\n|---|---:|---:|---:|\n");
            String[] names = { "drop-off (reserve + open), HTTP", "reserved → stored, server timestamps (open, autoclose, watcher, store)",
                    "staff pickup (intent + open + record), HTTP", "whole cycle" };
            for (int s = 0; s < 4; s++) {
                report.append("| ").append(names[s]).append(" | ").append(ms(rank(steps[s], 0.5))).append(" | ")
                        .append(ms(rank(steps[s], 0.99))).append(" | ").append(ms(n == 0 ? -1 : steps[s][n - 1])).append(" |\n");
            }
            report.append(String.format(Locale.ROOT, "%nThe whole cycle also holds up to " + PARCEL_POLL_MS + " ms of the client's "
                    + "polling.%n%n**%.1f cycles/s** (%d in %d s; each cycle is two door operations, "
                    + "so %.1f door operations/s), %d errors, %d times a client found all 4 compartments busy and waited. "
                    + "Afterwards %d of %d compartments were not free. Audit events of the run (last 1000 per cabinet): %s.%n%n",
                    perSecond, n, o.duration, perSecond * 2, errors, waits, busy, o.cabinets * COMPARTMENTS, events));
        }

        // ---- one lock-open command over a pty ---------------------------------------------------

        static void openLatency(Options o, HttpClient http, long[] raw, PtyBoard board) throws Exception {
            long[][] both = manualOpens(http, List.of("bench-csim", "bench-cpty"), o.lockSamples);
            long[] sim = both[0];
            long[] pty = both[1];
            line(String.format(Locale.ROOT, "lockpty: bare pty round trip p50 %s p99 %s ms; manual open via the API on sim: "
                    + "p50 %s p99 %s ms, on the pty p50 %s p99 %s ms; the pty board answered %d frames", ms(rank(raw, 0.5)),
                    ms(rank(raw, 0.99)), ms(rank(sim, 0.5)), ms(rank(sim, 0.99)), ms(rank(pty, 0.5)), ms(rank(pty, 0.99)),
                    board.frames.get()));
            report.append("### One lock-open command over a pseudo-terminal\n\n");
            report.append(o.lockSamples).append(" samples each, one at a time. Pty pairs made by `socat -d -d pty,raw,echo=0,")
                    .append("link=…/dev pty,raw,echo=0,link=…/sim`; the far end is this program's 8A responder (answers an open ")
                    .append("with status 11, a query with 00, at once). The board on the pty is attached by core.device through ")
                    .append("jSerialComm (9600 8N1) like a real RS-485 adapter.\n\n");
            report.append("| What | p50 (ms) | p99 (ms) | max (ms) |\n|---|---:|---:|---:|\n");
            report.append(row("bare pty: one open frame out and its 5-byte reply back, both ends in the benchmark (no Karaf)", raw));
            report.append(row("`POST …/compartments/{n}/open` (admin) on a `sim:` board in process", sim));
            report.append(row("the same on the board behind the socat pty", pty));
            long diff = rank(pty, 0.5) - rank(sim, 0.5);
            report.append(String.format(Locale.ROOT, "%nSamples alternate between the two boards, so both meet the same JIT "
                    + "and load. What the serial path adds to one open (difference of the medians): **%s%s ms**%s. The API call "
                    + "includes HTTP, the Basic login (remembered), the intent transaction, `LockBoard.open` and the recording "
                    + "transaction. A pty has no line rate: on a real RS-485 bus at 9600 8N1 the 5-byte command and the 5-byte "
                    + "reply take 10 × 10 bits / 9600 bit/s ≈ 10.4 ms more (computed, not measured).%n%n", diff < 0 ? "−" : "",
                    ms(Math.abs(diff)), diff < 0 ? " (the pty's median was lower: within the noise of the rest)" : ""));
        }

        static String row(String what, long[] sorted) {
            return "| " + what + " | " + ms(rank(sorted, 0.5)) + " | " + ms(rank(sorted, 0.99)) + " | "
                    + ms(sorted.length == 0 ? -1 : sorted[sorted.length - 1]) + " |\n";
        }

        /**
         * Manual opens through the API, each once its compartment's door is shut again, taking the
         * cabinets in turn; per cabinet, sorted nanoseconds.
         */
        static long[][] manualOpens(HttpClient http, List<String> cabinets, int samples) throws IOException {
            int warm = Math.min(20, samples);
            long[][] out = new long[cabinets.size()][samples];
            for (int i = 0; i < warm + samples; i++) {
                int n = 1 + i % COMPARTMENTS;
                for (int c = 0; c < cabinets.size(); c++) {
                    String cabinet = cabinets.get(c);
                    awaitShut(http, cabinet, n);
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/cabinets/" + cabinet
                            + "/compartments/" + n + "/open")).header("Authorization", ADMIN).header("Content-Type",
                                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"bench\"}")));
                    long t1 = System.nanoTime();
                    if (r == null || r.statusCode() != 200) {
                        throw new IOException("manual open of " + cabinet + "/" + n + ": " + describe(r));
                    }
                    if (i >= warm) {
                        out[c][i - warm] = t1 - t0;
                    }
                }
            }
            for (long[] a : out) {
                Arrays.sort(a);
            }
            return out;
        }

        static void awaitShut(HttpClient http, String cabinet, int n) throws IOException {
            long until = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < until) {
                HttpResponse<String> r = send(http, HttpRequest.newBuilder(URI.create(BASE + "/api/v1/cabinets/" + cabinet)).GET());
                Matcher m = COMPARTMENT.matcher(r == null ? "" : r.body());
                while (m.find()) {
                    if (Integer.parseInt(m.group(1)) == n && m.group(3).equals("closed")) {
                        return;
                    }
                }
                sleep(2);
            }
            throw new IOException(cabinet + "/" + n + " did not shut within 10 s");
        }

        static Process socat(Path dir) throws IOException, InterruptedException {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("dev"),
                    "pty,raw,echo=0,link=" + dir.resolve("sim")).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("socat.log").toFile()).start();
            long until = System.currentTimeMillis() + 10_000;
            while (!(Files.exists(dir.resolve("dev")) && Files.exists(dir.resolve("sim")))) {
                if (!p.isAlive() || System.currentTimeMillis() > until) {
                    throw new IOException("socat did not make its ptys (is it installed?), see " + dir.resolve("socat.log"));
                }
                Thread.sleep(10);
            }
            return p;
        }

        static byte[] frame(int head, int board, int lock, int status) {
            return new byte[] { (byte) head, (byte) board, (byte) lock, (byte) status, (byte) (head ^ board ^ lock ^ status) };
        }

        /** The bare pty: an open frame written at one end, answered at the other, read back. */
        static long[] rawPty(Path dir, int samples) throws Exception {
            Process socat = socat(dir);
            PtyBoard board = new PtyBoard(dir.resolve("sim"));
            try (FileOutputStream out = new FileOutputStream(dir.resolve("dev").toFile());
                    FileInputStream in = new FileInputStream(dir.resolve("dev").toFile())) {
                board.start();
                int warm = Math.min(50, samples);
                long[] rt = new long[samples];
                byte[] reply = new byte[5];
                for (int i = 0; i < warm + samples; i++) {
                    long t0 = System.nanoTime();
                    out.write(frame(0x8A, 1, 1 + i % 4, 0x11));
                    out.flush();
                    int got = 0;
                    while (got < 5) {
                        int k = in.read(reply, got, 5 - got);
                        if (k < 0) {
                            throw new IOException("pty closed");
                        }
                        got += k;
                    }
                    long t1 = System.nanoTime();
                    if (i >= warm) {
                        rt[i - warm] = t1 - t0;
                    }
                }
                Arrays.sort(rt);
                return rt;
            } finally {
                board.stop();
                socat.destroy();
                socat.waitFor(5, TimeUnit.SECONDS);
            }
        }

        /** An 8A board at the far end of a pty: open → status 11 (open), query → 00 (closed), at once. */
        static final class PtyBoard {
            final Path port;
            final java.util.concurrent.atomic.AtomicLong frames = new java.util.concurrent.atomic.AtomicLong();
            volatile boolean running = true;
            Thread thread;
            FileInputStream in;
            FileOutputStream out;

            PtyBoard(Path port) {
                this.port = port;
            }

            void start() throws IOException {
                in = new FileInputStream(port.toFile());
                out = new FileOutputStream(port.toFile());
                thread = new Thread(this::serve, "pty-board");
                thread.setDaemon(true);
                thread.start();
            }

            void serve() {
                byte[] buf = new byte[256];
                byte[] pending = new byte[512];
                int have = 0;
                try {
                    while (running) {
                        int k = in.read(buf);
                        if (k < 0) {
                            return;
                        }
                        System.arraycopy(buf, 0, pending, have, Math.min(k, pending.length - have));
                        have = Math.min(have + k, pending.length);
                        int at = 0;
                        while (have - at >= 5) {
                            int h = pending[at] & 0xFF;
                            int b = pending[at + 1] & 0xFF;
                            int l = pending[at + 2] & 0xFF;
                            int c = pending[at + 3] & 0xFF;
                            int x = pending[at + 4] & 0xFF;
                            if ((h != 0x8A && h != 0x80) || (h ^ b ^ l ^ c) != x) {
                                at++;
                                continue;
                            }
                            out.write(h == 0x8A ? frame(0x8A, b, l, 0x11) : frame(0x80, b, l, 0x00));
                            out.flush();
                            frames.incrementAndGet();
                            at += 5;
                        }
                        System.arraycopy(pending, at, pending, 0, have - at);
                        have -= at;
                    }
                } catch (IOException e) {
                    // the pty went away
                }
            }

            void stop() {
                running = false;
                try {
                    in.close();
                } catch (IOException | RuntimeException e) {
                    // closing anyway
                }
                try {
                    out.close();
                } catch (IOException | RuntimeException e) {
                    // closing anyway
                }
            }
        }
    }
}
