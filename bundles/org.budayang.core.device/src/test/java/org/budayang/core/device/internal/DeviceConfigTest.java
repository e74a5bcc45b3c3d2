package org.budayang.core.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

public class DeviceConfigTest {
    static Map<String, Object> props(String... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    public void aCompleteConfigurationWithDefaultsAndOptions() {
        DeviceConfig c = DeviceConfig.parse("org.budayang.device.1a2b", props("id", "lobby-lock", "type", "8a", "port",
                "/dev/ttyUSB0", "terminal", "lobby-7", "boards", "1,2", "status11", "closed",
                "service.factoryPid", "org.budayang.device", "felix.fileinstall.filename", "file:/x.cfg"));
        assertNull(c.problem());
        assertEquals("lobby-lock", c.id());
        assertEquals(DeviceConfig.SerialSettings.DEFAULT, c.serial());
        assertEquals(Map.of("boards", "1,2", "status11", "closed"), c.options());
        assertEquals("9600", c.settings().get("baudRate"));
        assertEquals("none", c.settings().get("parity"));
        assertFalse(c.simulated());
    }

    @Test
    public void aSimPortAndSerialSettings() {
        DeviceConfig c = DeviceConfig.parse("p", props("type", "ga467", "port", "sim:demo-01-idcard", "terminal", "demo-01",
                "baudRate", "115200", "parity", "Even", "stopBits", "2", "dataBits", "7"));
        assertNull(c.problem());
        assertEquals("p", c.id());
        assertTrue(c.simulated());
        assertEquals("demo-01-idcard", c.simName());
        assertEquals(new DeviceConfig.SerialSettings(115200, 7, DeviceConfig.Parity.EVEN, 2), c.serial());
    }

    @Test
    public void everyMistakeIsNamed() {
        DeviceConfig c = DeviceConfig.parse("org.budayang.device.x", props("id", "bad id!", "port", "ttyUSB0",
                "parity", "mark", "baudRate", "fast", "stopBits", "3"));
        String p = c.problem();
        assertTrue(p, p.startsWith("bad configuration org.budayang.device.x: "));
        assertTrue(p, p.contains("id 'bad id!' must be"));
        assertTrue(p, p.contains("type is missing"));
        assertTrue(p, p.contains("port 'ttyUSB0' must be an absolute device path or sim:<name>"));
        assertTrue(p, p.contains("terminal is missing"));
        assertTrue(p, p.contains("parity 'mark' is not one of none, even, odd"));
        assertTrue(p, p.contains("baudRate 'fast' must be a whole number from 50 to 4000000"));
        assertTrue(p, p.contains("stopBits '3' must be a whole number from 1 to 2"));
        assertEquals("shown under its PID", "org.budayang.device.x", c.id());
    }

    @Test
    public void aRedeliveredConfigurationIsTheSame() {
        Map<String, Object> p = props("id", "a", "type", "qrscanner", "port", "/dev/pts/3", "terminal", "t");
        assertTrue(DeviceConfig.parse("x", p).sameAs(DeviceConfig.parse("x", new HashMap<>(p))));
        p.put("terminal", "u");
        assertFalse(DeviceConfig.parse("x", props("id", "a", "type", "qrscanner", "port", "/dev/pts/3", "terminal", "t"))
                .sameAs(DeviceConfig.parse("x", p)));
    }
}
