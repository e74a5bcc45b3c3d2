package org.budayang.core.catalogue.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceRegistry;
import org.budayang.api.device.DeviceState;
import org.budayang.api.hall.Terminal;
import org.junit.Test;

public class DeviceCapabilitiesTest {
    static DeviceInfo device(String id, DeviceState state, String... caps) {
        return new DeviceInfo(id, "t", "sim:" + id, "demo-01", Set.of(caps), state, null, null, 0, null, Map.of());
    }

    static final Set<String> CONFIGURED = Set.of("idcard", "qrcode", "printer.receipt", "printer.a4");

    @Test
    public void offlineDevicesTakeTheirCapabilitiesAwayWorkingOnesAddTheirs() {
        assertEquals(Set.of("idcard", "qrcode", "printer.a4"), DeviceCapabilities.effective(CONFIGURED,
                List.of(device("p", DeviceState.OFFLINE, "printer.receipt"), device("i", DeviceState.ONLINE, "idcard"))));
        // Degraded is still offered; a device can bring a capability the terminal was not registered with.
        assertEquals(Set.of("idcard", "qrcode", "printer.receipt", "printer.a4", "locker"), DeviceCapabilities.effective(
                CONFIGURED, List.of(device("p", DeviceState.DEGRADED, "printer.receipt"), device("l", DeviceState.ONLINE, "locker"))));
        // Two readers, one down: the terminal still reads cards.
        assertEquals(CONFIGURED, DeviceCapabilities.effective(CONFIGURED,
                List.of(device("a", DeviceState.OFFLINE, "idcard"), device("b", DeviceState.ONLINE, "idcard"))));
        assertEquals(CONFIGURED, DeviceCapabilities.effective(CONFIGURED, List.of()));
    }

    @Test
    public void withoutTheDeviceRuntimeATerminalHasItsRegisteredCapabilities() {
        DeviceCapabilities d = new DeviceCapabilities();
        Terminal t = new Terminal("demo-01", "demo", "x", CONFIGURED);
        assertSame(t, d.effective(t));
        long before = d.revision("demo-01");
        List<DeviceInfo> devices = List.of(device("p", DeviceState.OFFLINE, "printer.receipt"));
        d.setRegistry(registry(devices));
        assertNotEquals("the registry arriving changes every terminal", before, d.revision("demo-01"));
        assertEquals(Set.of("idcard", "qrcode", "printer.a4"), d.effective(t).capabilities());
        long r = d.revision("demo-01");
        long other = d.revision("demo-02");
        d.deviceChanged(devices.get(0));
        assertNotEquals(r, d.revision("demo-01"));
        assertEquals("another terminal's menu stays cached", other, d.revision("demo-02"));
    }

    static DeviceRegistry registry(List<DeviceInfo> devices) {
        return new DeviceRegistry() {
            @Override
            public List<DeviceInfo> devices() {
                return devices;
            }

            @Override
            public List<DeviceInfo> devices(String terminal) {
                return devices.stream().filter(d -> terminal.equals(d.terminal())).toList();
            }

            @Override
            public Optional<DeviceInfo> device(String id) {
                return devices.stream().filter(d -> d.id().equals(id)).findFirst();
            }
        };
    }
}
