package org.budayang.it;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The built distribution run as its own process ({@code bin/karaf server}) on this test's
 * ports, so that it can really be killed (SIGKILL) and started again on the same data. Not Pax
 * Exam: each test unpacks a fresh copy in {@code target/crash-it}.
 */
abstract class KillableDistribution extends ItSupport {
    Path home;
    Process karaf;

    @Before
    public void unpack() throws Exception {
        Path dir = Path.of("target", "crash-it", Long.toString(System.currentTimeMillis())).toAbsolutePath();
        Files.createDirectories(dir);
        String distro = System.getProperty("budayang.distro");
        Process tar = new ProcessBuilder("tar", "-xzf", distro, "-C", dir.toString()).inheritIO().start();
        assertTrue("tar", tar.waitFor(120, TimeUnit.SECONDS) && tar.exitValue() == 0);
        try (Stream<Path> s = Files.list(dir)) {
            home = s.filter(p -> Files.isExecutable(p.resolve("bin/karaf"))).findFirst().orElseThrow();
        }
        int shift = offset() + shift();
        set("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(18180 + shift));
        set("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(18100 + shift));
        set("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(11100 + shift));
        set("etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(44450 + shift));
    }

    /** Sets {@code key} in a file of the unpacked distribution (a .cfg or .properties), replacing any earlier value. */
    void set(String file, String key, String value) throws IOException {
        Path p = home.resolve(file);
        List<String> lines = Files.exists(p) ? new ArrayList<>(Files.readAllLines(p, StandardCharsets.ISO_8859_1))
                : new ArrayList<>();
        lines.removeIf(l -> l.matches("\\s*" + java.util.regex.Pattern.quote(key) + "\\s*[=:].*"));
        lines.add(key + " = " + value);
        Files.write(p, lines, StandardCharsets.ISO_8859_1);
    }

    /** Starts the distribution and waits, as awaitApi does, from outside: every demo department loaded, every device attached. */
    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KARAF_") || k.equals("JAVA_OPTS") || k.equals("EXTRA_JAVA_OPTS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        karaf = pb.start();
        await("the API with all demo departments", 120_000, () -> get("/api/v1/modules").text(),
                t -> DEMO.stream().allMatch(d -> t.contains("\"department\":\"" + d + "\"")));
        await("devices attached", 60_000, () -> admin("GET", "/api/v1/devices", null), r -> {
            if (r.status() != 200) {
                return false;
            }
            for (JsonNode d : r.json()) {
                String problem = d.path("problem").asText();
                if (problem.equals("not attached yet") || problem.equals("simulator host not installed")) {
                    return false;
                }
            }
            return true;
        });
    }

    /** SIGKILL to the JVM: no shutdown hook, no bundle stops, Derby not closed. */
    void kill() throws Exception {
        List<ProcessHandle> all = new ArrayList<>(karaf.descendants().toList());
        all.add(karaf.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
        karaf = null;
    }

    /** The Karaf log of the unpacked distribution (all runs). */
    String log() throws IOException {
        return Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
    }

    @After
    public void stop() throws Exception {
        if (karaf != null) {
            kill();
        }
        if (home != null && !Boolean.getBoolean("it.keep")) {
            try (Stream<Path> s = Files.walk(home.getParent())) {
                s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
