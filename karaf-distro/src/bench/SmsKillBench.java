import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Kill cycles against the SMS outbox (issue 9, point 17): how often a {@code kill -9} makes an
 * SMS reach its recipient twice, and how long an SMS caught mid-send waits after the kill.
 *
 * <p>One fresh distribution, the SMPP gateway pointed at a small SMSC in this program (SMPP 3.4
 * by hand: bind, enquire_link, submit_sm answered {@code --smsc-delay} ms late, as an operator's
 * SMSC does). Each cycle: {@code --burst} locker drop-offs (one citizen, one case each, a
 * simulated lock bus whose doors shut by themselves), so {@code --burst} staff SMS are queued;
 * once the first reaches the SMSC, a random wait of 0..{@code --spread} ms, then SIGKILL to the
 * Karaf JVM, a restart on the same data, and a wait until the outbox has sent everything; staff
 * then take the parcels out. Per kill it counts the messages the SMSC got twice (same outbox id)
 * and, for each message the node took back after the restart, the time from the kill to its
 * second arrival.
 *
 * <pre>java karaf-distro/src/bench/SmsKillBench.java --kills 20 [--port-shift 0] [--burst 8] ...</pre>
 */
public final class SmsKillBench {
    static final String ZHANG = "440305198808081234";
    static final String ITEM = "000183001005";
    static final String FORM = "{\"phone\": \"13800138000\", \"bankAccount\": \"6222021234567890123\"}";
    static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
    static final String STAFF = "Basic " + Base64.getEncoder().encodeToString("staff:staff".getBytes(StandardCharsets.UTF_8));
    static final Pattern NUMBER = Pattern.compile("\"number\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern TAKEN_BACK = Pattern.compile("Outbox message\\(s\\) \\[([0-9, ]+)\\] were being sent when this node stopped");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    static Path distro = Path.of("karaf-distro/target/budayang-distro-0.2.0-SNAPSHOT.tar.gz");
    static Path work = Path.of("/tmp/budayang-smskill");
    static int kills = 20;
    static int burst = 8;
    static int spread = 1500;
    static int smscDelay = 100;
    static int shift;
    static long seed = 17;
    static boolean keep;
    static String command = "java karaf-distro/src/bench/SmsKillBench.java";

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--distro" -> distro = Path.of(v);
                case "--work" -> work = Path.of(v);
                case "--kills" -> kills = Integer.parseInt(v);
                case "--burst" -> burst = Integer.parseInt(v);
                case "--spread" -> spread = Integer.parseInt(v);
                case "--smsc-delay" -> smscDelay = Integer.parseInt(v);
                case "--port-shift" -> shift = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--command" -> command = v;
                case "--keep" -> {
                    keep = true;
                    continue;
                }
                default -> {
                    System.err.println("usage: java SmsKillBench.java [--kills N (20)] [--burst N (8, at most 8)] [--spread MS (1500)]"
                            + " [--smsc-delay MS (100)] [--port-shift N (0)] [--seed N] [--distro FILE] [--work DIR] [--keep]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (burst < 1 || burst > 8) {
            throw new IllegalArgumentException("--burst is 1..8 (the cabinet has 8 compartments)");
        }
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.println("SMS kill benchmark, " + ZonedDateTime.now() + "; load average before: " + load);
        Smsc smsc = new Smsc(12700 + shift, smscDelay);
        Path dir = work.resolve(Long.toString(System.currentTimeMillis()));
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "-xzf", distro.toAbsolutePath().toString(), "-C", dir.toString()).inheritIO().start();
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("tar failed");
        }
        Path home;
        try (Stream<Path> s = Files.list(dir)) {
            home = s.filter(p -> Files.isExecutable(p.resolve("bin/karaf"))).findFirst().orElseThrow();
        }
        Node node = new Node(home);
        node.configure(smsc.port);
        Random random = new Random(seed);
        List<Cycle> cycles = new ArrayList<>();
        boolean completed = false;
        try {
            long t = System.currentTimeMillis();
            node.start();
            System.out.printf("first start: %d ms%n", System.currentTimeMillis() - t);
            String session = node.citizen();
            List<String> cases = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                cases.add(node.newCase(session));
            }
            for (int k = 1; k <= kills; k++) {
                session = node.citizen();
                int before = smsc.deliveries.size();
                int refused = 0;
                for (String c : cases) {
                    try {
                        node.dropoff(session, c);
                    } catch (IOException e) {
                        refused++;
                        System.out.println("  drop-off refused, this cycle goes on without it: " + e.getMessage());
                    }
                }
                if (refused == cases.size()) {
                    throw new IOException("every drop-off of cycle " + k + " was refused");
                }
                await(30_000, () -> smsc.deliveries.size() > before);
                int wait = random.nextInt(spread + 1);
                Thread.sleep(wait);
                long killed = node.kill();
                int atKill = smsc.deliveries.size();
                long restart = System.currentTimeMillis();
                node.start();
                long up = System.currentTimeMillis();
                await(180_000, node::outboxSettled);
                List<Long> takenBack = node.takenBack();
                Cycle c = new Cycle(k, wait, killed, up - restart, atKill - before);
                for (long id : takenBack) {
                    Delivery again = smsc.deliveries.stream().filter(d -> d.reference == (id & 0xFFFF) && d.at >= killed)
                            .findFirst().orElse(null);
                    c.takenBack.add(id);
                    if (again != null) {
                        c.recoveryMs.add(again.at - killed);
                        c.afterUpMs.add(again.at - up);
                    }
                }
                // Staff empty the compartments for the next cycle (a drop-off the kill cut short may
                // have been released instead of stored: nothing to take out then).
                for (String cs : cases) {
                    node.pickup(cs);
                }
                cycles.add(c);
                c.duplicates = duplicatesSince(smsc, before, killed);
                // Whatever the node's version: a message the SMSC got twice was caught mid-send;
                // its second arrival is when the node recovered it.
                Map<Integer, Long> firstAt = new ConcurrentHashMap<>();
                for (int i = before; i < smsc.deliveries.size(); i++) {
                    Delivery d = smsc.deliveries.get(i);
                    Long f = firstAt.putIfAbsent(d.reference, d.at);
                    if (f != null && f < killed && d.at >= killed) {
                        c.duplicateRecoveryMs.add(d.at - killed);
                    }
                }
                System.out.printf("kill %2d: %4d ms after the first SMS of the burst; %d of %d at the SMSC before the kill; "
                        + "restart %5d ms; taken back %s; sent again after the kill (ms) %s; after the cabinet was online (ms) %s; "
                        + "delivered twice: %d (kill -> second copy, ms: %s)%n", k, wait, c.atKill, burst, c.restartMs, c.takenBack,
                        c.recoveryMs, c.afterUpMs, c.duplicates, c.duplicateRecoveryMs);
            }
            completed = true;
        } finally {
            node.kill();
            smsc.close();
            if (!keep && completed) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            } else {
                System.out.println("instance kept in " + dir);
            }
        }
        report(cycles, smsc, load);
    }

    /** Messages of this cycle (first arrival from index {@code from} on) that the SMSC got more than once. */
    static int duplicatesSince(Smsc smsc, int from, long killed) {
        Map<Integer, Integer> count = new ConcurrentHashMap<>();
        List<Delivery> all = smsc.deliveries;
        TreeSet<Integer> cycleRefs = new TreeSet<>();
        for (int i = from; i < all.size(); i++) {
            cycleRefs.add(all.get(i).reference);
        }
        for (Delivery d : all) {
            if (cycleRefs.contains(d.reference)) {
                count.merge(d.reference, 1, Integer::sum);
            }
        }
        return (int) count.values().stream().filter(n -> n > 1).count();
    }

    static void report(List<Cycle> cycles, Smsc smsc, String load) {
        int dup = cycles.stream().mapToInt(c -> c.duplicates).sum();
        int caught = cycles.stream().mapToInt(c -> c.takenBack.size()).sum();
        List<Long> rec = cycles.stream().flatMap(c -> c.recoveryMs.stream()).sorted().toList();
        List<Long> afterUp = cycles.stream().flatMap(c -> c.afterUpMs.stream()).sorted().toList();
        List<Long> restarts = cycles.stream().map(c -> c.restartMs).sorted().toList();
        Map<Integer, Integer> perRef = new ConcurrentHashMap<>();
        smsc.deliveries.forEach(d -> perRef.merge(d.reference, 1, Integer::sum));
        System.out.println();
        System.out.println("## SMS outbox under kill -9 (" + ZonedDateTime.now().toLocalDate() + ")");
        System.out.println();
        System.out.println("- Command: `" + command + "`");
        System.out.println("- Machine: " + Runtime.getRuntime().availableProcessors() + " cores; load average before the run: "
                + load);
        System.out.printf(Locale.ROOT, "- %d kills, bursts of %d staff SMS (locker drop-offs), kill 0..%d ms after the first of a"
                + " burst reached the SMSC, SMSC answering each submit_sm %d ms late%n", cycles.size(), burst, spread, smscDelay);
        System.out.printf(Locale.ROOT, "- messages: %d distinct at the SMSC, %d submit_sm in all%n", perRef.size(),
                smsc.deliveries.size());
        System.out.printf(Locale.ROOT, "- **delivered twice: %d in %d kills = %.2f per kill**; never more than twice: %s%n", dup,
                cycles.size(), cycles.isEmpty() ? 0.0 : (double) dup / cycles.size(),
                perRef.values().stream().allMatch(n -> n <= 2));
        System.out.printf(Locale.ROOT, "- caught mid-send and taken back by the restarted node: %d; kill -> sent again: median %s ms,"
                + " max %s ms; cabinet online -> sent again: median %s ms, max %s ms (negative: before)%n", caught, median(rec),
                max(rec), median(afterUp), max(afterUp));
        List<Long> dupRec = cycles.stream().flatMap(c -> c.duplicateRecoveryMs.stream()).sorted().toList();
        System.out.printf(Locale.ROOT, "- kill -> second copy of a message delivered twice: median %s ms, max %s ms%n",
                median(dupRec), max(dupRec));
        System.out.printf(Locale.ROOT, "- restart (kill -> the cabinet online again, every device attached): median %s ms, max %s ms%n",
                median(restarts), max(restarts));
    }

    static String median(List<Long> sorted) {
        return sorted.isEmpty() ? "-" : Long.toString(sorted.get(sorted.size() / 2));
    }

    static String max(List<Long> sorted) {
        return sorted.isEmpty() ? "-" : Long.toString(sorted.get(sorted.size() - 1));
    }

    static final class Cycle {
        final int n;
        final int waitMs;
        final long killedAt;
        final long restartMs;
        final int atKill;
        final List<Long> takenBack = new ArrayList<>();
        final List<Long> recoveryMs = new ArrayList<>();
        final List<Long> afterUpMs = new ArrayList<>();
        final List<Long> duplicateRecoveryMs = new ArrayList<>();
        int duplicates;

        Cycle(int n, int waitMs, long killedAt, long restartMs, int atKill) {
            this.n = n;
            this.waitMs = waitMs;
            this.killedAt = killedAt;
            this.restartMs = restartMs;
            this.atKill = atKill;
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(long timeoutMs, Check check) throws Exception {
        long until = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < until) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("timed out after " + timeoutMs + " ms");
    }

    // ---- the node -------------------------------------------------------------------------------

    static final class Node {
        final Path home;
        final String base;
        Process process;
        int logOffset;

        Node(Path home) {
            this.home = home;
            this.base = "http://127.0.0.1:" + (8181 + shift);
        }

        void configure(int smscPort) throws IOException {
            set("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(8181 + shift));
            set("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(8101 + shift));
            set("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(1099 + shift));
            set("etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(44444 + shift));
            set("etc/org.budayang.notify.cfg", "gateway", "smpp");
            set("etc/org.budayang.locker.cfg", "door.poll.millis", "100");
            Files.writeString(home.resolve("etc/org.budayang.notify.smpp.cfg"), "host = 127.0.0.1\nport = " + smscPort
                    + "\nsystemId = bench\n.password = bench\nbind.timeout.ms = 2000\nresponse.timeout.ms = 10000\n");
            Files.writeString(home.resolve("etc/org.budayang.device-killbus.cfg"), "id = kill-bus\ntype = 8a\n"
                    + "port = sim:kill-bus\nterminal = demo-03\nboards = 1\nlocks = 8\nautoclose = 100\n");
            Files.writeString(home.resolve("etc/org.budayang.cabinet-kill.cfg"), "id = kill-c\nhall = demo\n"
                    + "terminal = demo-03\nlockDevice = kill-bus\ncompartments = 1/1-8:S\n");
        }

        void set(String file, String key, String value) throws IOException {
            Path p = home.resolve(file);
            List<String> lines = new ArrayList<>(Files.readAllLines(p, StandardCharsets.ISO_8859_1));
            lines.removeIf(l -> l.matches("\\s*" + Pattern.quote(key) + "\\s*[=:].*"));
            lines.add(key + " = " + value);
            Files.write(p, lines, StandardCharsets.ISO_8859_1);
        }

        void start() throws Exception {
            Path log = home.resolve("data/log/karaf.log");
            logOffset = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8).length() : 0;
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("KARAF_") || k.equals("JAVA_OPTS") || k.equals("EXTRA_JAVA_OPTS"));
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            process = pb.start();
            await(180_000, () -> {
                HttpResponse<String> r = call("GET", "/api/v1/cabinets/kill-c", null, null);
                return r.statusCode() == 200 && r.body().contains("\"online\":true");
            });
        }

        /** SIGKILL to the whole tree; returns when it happened (the JVM is gone when this returns). */
        long kill() throws Exception {
            if (process == null) {
                return System.currentTimeMillis();
            }
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process.toHandle());
            long at = System.currentTimeMillis();
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : all) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
            process = null;
            return at;
        }

        HttpResponse<String> call(String method, String path, String auth, String json) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                    .header("Content-Type", "application/json; charset=utf-8");
            if (auth != null) {
                b.header("Authorization", auth);
            }
            long until = System.currentTimeMillis() + 15_000;
            while (true) {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                // 503 busy: the database lost a lock (often right after a boot) and nothing was saved.
                if (r.statusCode() != 503 || System.currentTimeMillis() > until) {
                    return r;
                }
                Thread.sleep(200);
            }
        }

        String citizen() throws Exception {
            String body = "{\"method\": \"idcard\", \"card\": {\"name\": \"张三\", \"idNumber\": \"" + ZHANG
                    + "\", \"validFrom\": \"20200101\", \"validTo\": \"20400101\"}}";
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/terminals/demo-03/sessions"))
                    .timeout(Duration.ofSeconds(30)).header("X-Terminal-Token", "demo-03-terminal-token")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            return find(TOKEN, expect(HTTP.send(req, HttpResponse.BodyHandlers.ofString()), 201, "citizen login"));
        }

        String newCase(String session) throws Exception {
            return find(NUMBER, expect(call("POST", "/api/v1/cases", "Bearer " + session, "{\"item\": \"" + ITEM
                    + "\", \"situation\": \"self\", \"form\": " + FORM + "}"), 201, "case"));
        }

        void dropoff(String session, String number) throws Exception {
            long until = System.currentTimeMillis() + 15_000;
            while (true) {
                HttpResponse<String> r = call("POST", "/api/v1/cabinets/kill-c/dropoffs", "Bearer " + session, "{\"case\": \""
                        + number + "\", \"size\": \"S\"}");
                // The last pickup's door may not have shut yet: its compartment (and the case's one place) is not free.
                if (r.statusCode() == 409 && System.currentTimeMillis() < until) {
                    Thread.sleep(50);
                    continue;
                }
                expect(r, 201, "drop-off for " + number);
                return;
            }
        }

        void pickup(String number) throws Exception {
            HttpResponse<String> r = call("POST", "/api/v1/cabinets/kill-c/pickups", STAFF, "{\"case\": \"" + number + "\"}");
            if (r.statusCode() != 200 && !(r.statusCode() == 404 && r.body().contains("no_parcel"))) {
                throw new IOException("pickup for " + number + ": " + r.statusCode() + " " + r.body());
            }
        }

        /** Nothing pending or sending in the outbox (every door settled, every SMS sent). */
        boolean outboxSettled() throws Exception {
            HttpResponse<String> r = call("GET", "/api/v1/admin/outbox?limit=100", ADMIN, null);
            return r.statusCode() == 200 && !r.body().contains("\"state\":\"pending\"") && !r.body().contains("\"state\":\"sending\"")
                    && !compartmentsBusy();
        }

        boolean compartmentsBusy() throws Exception {
            String b = call("GET", "/api/v1/cabinets/kill-c", null, null).body();
            return b.contains("\"opening\"") || b.contains("\"open\"") || b.contains("\"reserved\"");
        }

        /** The outbox ids this run of the node took back at its start (from its log). */
        List<Long> takenBack() throws IOException {
            String log = Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
            Matcher m = TAKEN_BACK.matcher(log.substring(Math.min(logOffset, log.length())));
            List<Long> ids = new ArrayList<>();
            while (m.find()) {
                for (String id : m.group(1).split(",")) {
                    ids.add(Long.parseLong(id.strip()));
                }
            }
            return ids;
        }

        static HttpResponse<String> expect(HttpResponse<String> r, int status, String what) throws IOException {
            if (r.statusCode() != status) {
                throw new IOException(what + ": expected " + status + ", got " + r.statusCode() + " " + r.body());
            }
            return r;
        }

        static String find(Pattern p, HttpResponse<String> r) throws IOException {
            Matcher m = p.matcher(r.body());
            if (!m.find()) {
                throw new IOException("no " + p + " in " + r.body());
            }
            return m.group(1);
        }
    }

    // ---- a minimal SMSC (SMPP 3.4) --------------------------------------------------------------

    record Delivery(int reference, long at) {
    }

    /**
     * Accepts any bind, answers enquire_link and unbind, records every submit_sm (the first part
     * of a concatenated message counts as its arrival) and answers it {@code delayMs} late: the
     * message is taken when it arrives, so a kill before the answer is recorded sends it twice.
     */
    static final class Smsc implements AutoCloseable {
        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        final ServerSocket server;
        final int port;
        final int delayMs;
        final AtomicInteger ids = new AtomicInteger();
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Smsc(int port, int delayMs) throws IOException {
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            this.port = server.getLocalPort();
            this.delayMs = delayMs;
            Thread t = new Thread(this::accept, "smsc");
            t.setDaemon(true);
            t.start();
        }

        void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> session(s), "smsc-session");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        void session(Socket s) {
            try (s; DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                while (true) {
                    int length = in.readInt();
                    int command = in.readInt();
                    in.readInt(); // status
                    int seq = in.readInt();
                    byte[] body = new byte[length - 16];
                    in.readFully(body);
                    switch (command) {
                        case 0x00000001, 0x00000002, 0x00000009 -> respond(out, 0x80000000 | command, seq, cstr("smsc"));
                        case 0x00000015 -> respond(out, 0x80000015, seq, new byte[0]);
                        case 0x00000006 -> {
                            respond(out, 0x80000006, seq, new byte[0]);
                            return;
                        }
                        case 0x00000004 -> {
                            submit(body);
                            if (delayMs > 0) {
                                Thread.sleep(delayMs);
                            }
                            respond(out, 0x80000004, seq, cstr(String.format("%08X", ids.incrementAndGet())));
                        }
                        default -> respond(out, 0x80000000, seq, new byte[0]); // generic_nack
                    }
                }
            } catch (EOFException | java.net.SocketException gone) {
                // the node was killed or closed the session
            } catch (Exception e) {
                System.out.println("SMSC session failed: " + e);
            }
        }

        void submit(byte[] body) {
            ByteBuffer b = ByteBuffer.wrap(body);
            skipCstr(b); // service_type
            b.get();
            b.get();
            skipCstr(b); // source_addr
            b.get();
            b.get();
            skipCstr(b); // destination_addr
            int esm = b.get() & 0xFF;
            b.get(); // protocol_id
            b.get(); // priority_flag
            skipCstr(b); // schedule_delivery_time
            skipCstr(b); // validity_period
            b.get(); // registered_delivery
            b.get(); // replace_if_present
            b.get(); // data_coding
            b.get(); // sm_default_msg_id
            int smLength = b.get() & 0xFF;
            byte[] sm = new byte[smLength];
            b.get(sm);
            int reference = -1;
            while (b.remaining() >= 4) {
                int tag = b.getShort() & 0xFFFF;
                int len = b.getShort() & 0xFFFF;
                if (tag == 0x0204 && len == 2) {
                    reference = b.getShort() & 0xFFFF;
                } else {
                    b.position(b.position() + len);
                }
            }
            // A concatenated message's first part (UDH sequence number 1) is its arrival.
            boolean first = (esm & 0x40) == 0 || sm.length > 5 && (sm[5] & 0xFF) == 1;
            if (first) {
                deliveries.add(new Delivery(reference, System.currentTimeMillis()));
            }
        }

        static void skipCstr(ByteBuffer b) {
            while (b.get() != 0) {
                // skip
            }
        }

        static byte[] cstr(String s) {
            byte[] a = s.getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[a.length + 1];
            System.arraycopy(a, 0, out, 0, a.length);
            return out;
        }

        static void respond(DataOutputStream out, int command, int seq, byte[] body) throws IOException {
            synchronized (out) {
                out.writeInt(16 + body.length);
                out.writeInt(command);
                out.writeInt(0);
                out.writeInt(seq);
                out.write(body);
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
