package org.budayang.core.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceState;
import org.junit.After;
import org.junit.Test;

/** Supervision of one device: attach, health, withdrawal, re-attach, removal. No ports, no OSGi. */
public class ManagedDeviceTest {
    final ExecutorService pool = Executors.newCachedThreadPool();
    final FakeHost host = new FakeHost();
    final FakeDriver driver = new FakeDriver();

    @After
    public void stop() {
        pool.shutdownNow();
    }

    static DeviceConfig config(String terminal, String... options) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of("id", "dev-1", "type", "fake", "port", "/dev/fake",
                "terminal", terminal));
        for (int i = 0; i < options.length; i += 2) {
            p.put(options[i], options[i + 1]);
        }
        return DeviceConfig.parse("pid-1", p);
    }

    ManagedDevice device(String terminal, String... options) {
        ManagedDevice d = new ManagedDevice("pid-1", config(terminal, options), host, pool);
        d.retryNow();
        return d;
    }

    static void await(String what, BooleanSupplier ok) {
        long until = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < until) {
            if (ok.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        fail("timed out waiting for " + what);
    }

    /** One probe, seen through its outcome: the count of errors in a row. */
    static void probeOnce(ManagedDevice d, int errors) {
        d.tick(System.nanoTime(), 0);
        await(errors + " errors in a row", () -> d.info().consecutiveErrors() == errors);
    }

    static void awaitState(ManagedDevice d, DeviceState s) {
        await(s + " (is " + d.info().state() + ": " + d.info().problem() + ")", () -> d.info().state() == s);
    }

    @Test
    public void anAttachedDeviceOffersItsCapabilityForItsTerminal() {
        host.drivers.put("fake", driver);
        ManagedDevice d = device("t-1");
        awaitState(d, DeviceState.ONLINE);
        await("registration", () -> host.registered.size() == 1);
        assertEquals(Map.of("budayang.terminal", "t-1", "budayang.device", "dev-1", "budayang.capability", "thing",
                "budayang.device.type", "fake"), host.registered.values().iterator().next());
        DeviceInfo i = d.info();
        assertEquals(Set.of("thing"), i.capabilities());
        assertEquals("hello", i.lastReply());
        assertTrue(i.lastGoodReply() != null);
        assertEquals("9600", i.settings().get("baudRate"));
        assertEquals(DeviceState.ONLINE, host.changes.get(host.changes.size() - 1).state());
    }

    @Test
    public void threeFailedProbesWithdrawTheDeviceAndTheSupervisorBringsItBack() {
        host.drivers.put("fake", driver);
        ManagedDevice d = device("t-1");
        awaitState(d, DeviceState.ONLINE);
        driver.answers = false;
        probeOnce(d, 1);
        assertEquals(DeviceState.DEGRADED, d.info().state());
        assertEquals(1, host.registered.size());
        probeOnce(d, 2);
        assertEquals(DeviceState.DEGRADED, d.info().state());
        probeOnce(d, 3);
        assertEquals(DeviceState.OFFLINE, d.info().state());
        assertEquals("3 failed exchanges in a row, the last: no answer", d.info().problem());
        await("capability withdrawn", () -> host.registered.isEmpty());
        await("session closed", () -> driver.closed.get() == 1);
        // It answers again: the next tick re-opens and re-attaches it.
        driver.answers = true;
        await("re-attached", () -> {
            d.tick(System.nanoTime(), Long.MAX_VALUE);
            return d.info().state() == DeviceState.ONLINE;
        });
        await("capability back", () -> host.registered.size() == 1);
        assertEquals(2, driver.attached.get());
    }

    @Test
    public void eachChangeOfHealthIsLoggedOnceNotEveryProbeOrRetry() throws Exception {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        // slf4j-simple writes to whatever System.err is at the time.
        System.setErr(new java.io.PrintStream(log, true, "UTF-8"));
        try {
            host.drivers.put("fake", driver);
            ManagedDevice d = device("t-1");
            awaitState(d, DeviceState.ONLINE);
            driver.answers = false;
            probeOnce(d, 1);
            probeOnce(d, 2);
            probeOnce(d, 3);
            awaitState(d, DeviceState.OFFLINE);
            await("session closed", () -> driver.closed.get() == 1);
            // Re-attach attempts that fail the same way, as a printer without paper every 5 s.
            for (int attempt = 2; attempt <= 6; attempt++) {
                int n = attempt;
                await("attempt " + n, () -> {
                    d.tick(System.nanoTime(), Long.MAX_VALUE);
                    return driver.attempts.get() >= n;
                });
            }
            await("the last attempt recorded", () -> "attach failed: no answer".equals(d.info().problem()));
            driver.answers = true;
            await("re-attached", () -> {
                d.tick(System.nanoTime(), Long.MAX_VALUE);
                return d.info().state() == DeviceState.ONLINE;
            });
            driver.answers = false;
            probeOnce(d, 1);
            driver.answers = true;
            probeOnce(d, 0);
        } finally {
            System.setErr(err);
        }
        List<String> lines = new ArrayList<>();
        for (String l : log.toString("UTF-8").split("\\R")) {
            if (l.contains("Device dev-1") && !l.contains("attached for terminal")) {
                lines.add(l.substring(l.indexOf("Device dev-1")));
            }
        }
        assertEquals(List.of("Device dev-1 degraded (still in use): no answer",
                "Device dev-1 offline: 3 failed exchanges in a row, the last: no answer",
                "Device dev-1 offline: attach failed: no answer",
                "Device dev-1 degraded (still in use): no answer",
                "Device dev-1 answers properly again"), lines);
    }

    @Test
    public void anUnpluggedDeviceGoesOfflineAtOnceAndComesBackWhenThePortReturns() {
        host.drivers.put("fake", driver);
        ManagedDevice d = device("t-1");
        awaitState(d, DeviceState.ONLINE);
        host.unplugged = true;
        host.lastChannel.gone("port /dev/fake closed (read error 5)");
        assertEquals("offline before any retry", DeviceState.OFFLINE, d.info().state());
        assertEquals("port gone: port /dev/fake closed (read error 5)", d.info().problem());
        await("capability withdrawn", () -> host.registered.isEmpty());
        await("retried while unplugged", () -> {
            d.tick(System.nanoTime(), Long.MAX_VALUE);
            return "port /dev/fake does not exist (unplugged?)".equals(d.info().problem());
        });
        host.unplugged = false;
        await("plugged back in", () -> {
            d.tick(System.nanoTime(), Long.MAX_VALUE);
            return d.info().state() == DeviceState.ONLINE;
        });
        await("capability back", () -> host.registered.size() == 1);
    }

    @Test
    public void withoutItsDriverADeviceWaitsOfflineAndAttachesWhenTheDriverComes() {
        ManagedDevice d = device("t-1");
        await("no driver", () -> "no driver for type fake".equals(d.info().problem()));
        assertEquals(DeviceState.OFFLINE, d.info().state());
        host.drivers.put("fake", driver);
        d.retryNow();
        awaitState(d, DeviceState.ONLINE);
        // The driver goes with its bundle.
        host.drivers.remove("fake");
        d.detachIf(x -> x.attachedTo(driver), "no driver for type fake").join();
        assertEquals(DeviceState.OFFLINE, d.info().state());
        assertEquals("no driver for type fake", d.info().problem());
        assertTrue(host.registered.isEmpty());
        assertEquals(1, driver.closed.get());
    }

    @Test
    public void aBadOptionIsShownAndNotRetriedUntilTheConfigurationChanges() {
        host.drivers.put("fake", driver);
        ManagedDevice d = device("t-1", "speed", "warp");
        await("bad option", () -> "bad option: speed 'warp' is not a speed".equals(d.info().problem()));
        for (int i = 0; i < 5; i++) {
            d.tick(System.nanoTime(), 0);
        }
        d.reconfigure(config("t-1")).join();
        awaitState(d, DeviceState.ONLINE);
        assertEquals("one failed attempt, then the new configuration", 2, driver.attempts.get());
    }

    @Test
    public void movingADeviceToAnotherTerminalTellsTheOldOneItIsGone() {
        host.drivers.put("fake", driver);
        ManagedDevice d = device("t-1");
        awaitState(d, DeviceState.ONLINE);
        host.changes.clear();
        d.reconfigure(config("t-2")).join();
        awaitState(d, DeviceState.ONLINE);
        assertTrue(host.changes.toString(), host.changes.stream()
                .anyMatch(i -> i.terminal().equals("t-1") && "removed".equals(i.problem())));
        assertEquals("t-2", host.registered.values().iterator().next().get("budayang.terminal"));
    }

    @Test
    public void aRemovedDeviceSaysSoLastAndLeavesNothingBehind() {
        host.drivers.put("fake", driver);
        ManagedDevice d = device("t-1");
        awaitState(d, DeviceState.ONLINE);
        d.remove().join();
        DeviceInfo last = host.changes.get(host.changes.size() - 1);
        assertEquals(DeviceState.OFFLINE, last.state());
        assertEquals("removed", last.problem());
        assertTrue(host.registered.isEmpty());
        d.tick(System.nanoTime(), 0);
        assertEquals("never re-attached", 1, driver.attempts.get());
    }

    // ---- doubles ----------------------------------------------------------------------------------

    static final class FakeDriver implements DeviceDriver {
        volatile boolean answers = true;
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger attached = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public String type() {
            return "fake";
        }

        @Override
        public Set<String> capabilities() {
            return Set.of("thing");
        }

        @Override
        public Session attach(DeviceContext context) throws DeviceException {
            attempts.incrementAndGet();
            if (context.options().containsKey("speed")) {
                throw new IllegalArgumentException("speed '" + context.options().get("speed") + "' is not a speed");
            }
            if (!answers) {
                throw new DeviceException(DeviceException.Reason.TIMEOUT, "no answer");
            }
            context.ok("hello");
            context.publish(Runnable.class, () -> { }, "thing");
            attached.incrementAndGet();
            return new Session() {
                @Override
                public void probe() throws DeviceException {
                    if (!answers) {
                        throw new DeviceException(DeviceException.Reason.TIMEOUT, "no answer");
                    }
                    context.ok("still here");
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        }
    }

    static final class FakeHost implements ManagedDevice.Host {
        final Map<String, DeviceDriver> drivers = new ConcurrentHashMap<>();
        final Map<Object, Map<String, Object>> registered = new ConcurrentHashMap<>();
        final List<DeviceInfo> changes = new CopyOnWriteArrayList<>();
        volatile boolean unplugged;
        volatile PortChannel lastChannel;

        @Override
        public DeviceDriver driver(String type) {
            return drivers.get(type);
        }

        @Override
        public Set<String> capabilities(String type) {
            return Set.of("thing");
        }

        @Override
        public Wire open(DeviceConfig config, PortChannel channel) throws IOException {
            if (unplugged) {
                throw new IOException("port " + config.port() + " does not exist (unplugged?)");
            }
            lastChannel = channel;
            Wire w = new Wire() {
                @Override
                public void write(byte[] bytes) {
                }

                @Override
                public void close() {
                }
            };
            channel.attach(w);
            return w;
        }

        @Override
        public ManagedDevice.Registration publish(Class<?> type, Object service, Map<String, Object> properties) {
            Object key = new Object();
            registered.put(key, properties);
            return () -> registered.remove(key);
        }

        @Override
        public void changed(DeviceInfo info) {
            changes.add(info);
        }

        @Override
        public long retryNanos() {
            return TimeUnit.MILLISECONDS.toNanos(1);
        }
    }

}
