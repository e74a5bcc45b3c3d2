package org.budayang.core.device.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One device as its factory configuration ({@code org.budayang.device-<name>.cfg}) describes it.
 * Parsing never throws: a configuration with mistakes still becomes a device, shown offline with
 * {@link #problem()} naming every mistake, so that an admin sees it next to the good ones.
 *
 * @param id the device id ({@code id}, or the PID when none was given)
 * @param type driver type, null when missing
 * @param port serial device path or {@code sim:<name>}, null when missing
 * @param terminal terminal id, null when missing
 * @param options every key that is not a serial setting nor bookkeeping, as text
 * @param problem what is wrong with the configuration, or null
 */
public record DeviceConfig(String pid, String id, String type, String port, String terminal, SerialSettings serial,
        Map<String, String> options, String problem) {
    public static final String SIM_PREFIX = "sim:";
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
    /** The keys that are not driver options. */
    static final Set<String> RESERVED = Set.of("id", "type", "port", "terminal", "baudRate", "dataBits", "parity",
            "stopBits");

    public DeviceConfig {
        options = Collections.unmodifiableMap(new TreeMap<>(options));
    }

    /** Serial line settings; ignored for {@code sim:} ports. */
    public record SerialSettings(int baudRate, int dataBits, Parity parity, int stopBits) {
        public static final SerialSettings DEFAULT = new SerialSettings(9600, 8, Parity.NONE, 1);
    }

    public enum Parity {
        NONE, EVEN, ODD
    }

    public boolean simulated() {
        return port != null && port.startsWith(SIM_PREFIX);
    }

    /** The simulator's name of a {@code sim:<name>} port. */
    public String simName() {
        return port.substring(SIM_PREFIX.length());
    }

    /** Serial settings and options, as shown with the device. */
    public Map<String, String> settings() {
        Map<String, String> s = new TreeMap<>(options);
        s.put("baudRate", String.valueOf(serial.baudRate()));
        s.put("dataBits", String.valueOf(serial.dataBits()));
        s.put("parity", serial.parity().name().toLowerCase(java.util.Locale.ROOT));
        s.put("stopBits", String.valueOf(serial.stopBits()));
        return s;
    }

    /** Reads a configuration's properties (as ConfigAdmin hands them over). */
    public static DeviceConfig parse(String pid, Dictionary<String, ?> properties) {
        Map<String, Object> map = new TreeMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            map.put(k, properties.get(k));
        }
        return parse(pid, map);
    }

    public static DeviceConfig parse(String pid, Map<String, ?> properties) {
        List<String> problems = new ArrayList<>();
        String id = text(properties, "id");
        if (id == null) {
            id = pid;
        } else if (!ID.matcher(id).matches()) {
            problems.add("id '" + id + "' must be 1-64 letters, digits, '.', '-' or '_'");
            id = pid;
        }
        String type = text(properties, "type");
        if (type == null) {
            problems.add("type is missing (the driver type, e.g. ga467, 8a, escpos, qrscanner)");
        } else if (!TYPE.matcher(type).matches()) {
            problems.add("type '" + type + "' must be lower-case letters, digits, '.', '-' or '_'");
        }
        String port = text(properties, "port");
        if (port == null) {
            problems.add("port is missing (a serial device such as /dev/ttyUSB0, or sim:<name>)");
        } else if (port.startsWith(SIM_PREFIX) ? port.length() == SIM_PREFIX.length() : !port.startsWith("/")) {
            problems.add("port '" + port + "' must be an absolute device path or sim:<name>");
        }
        String terminal = text(properties, "terminal");
        if (terminal == null) {
            problems.add("terminal is missing (the id of the terminal the device belongs to)");
        }
        SerialSettings d = SerialSettings.DEFAULT;
        int baud = number(properties, "baudRate", d.baudRate(), 50, 4_000_000, problems);
        int dataBits = number(properties, "dataBits", d.dataBits(), 5, 8, problems);
        int stopBits = number(properties, "stopBits", d.stopBits(), 1, 2, problems);
        Parity parity = d.parity();
        String p = text(properties, "parity");
        if (p != null) {
            try {
                parity = Parity.valueOf(p.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("parity '" + p + "' is not one of none, even, odd");
            }
        }
        Map<String, String> options = new TreeMap<>();
        properties.forEach((k, v) -> {
            if (!RESERVED.contains(k) && !bookkeeping(k) && v != null) {
                options.put(k, String.valueOf(v).strip());
            }
        });
        return new DeviceConfig(pid, id, type, port, terminal, new SerialSettings(baud, dataBits, parity, stopBits),
                options, problems.isEmpty() ? null : "bad configuration " + pid + ": " + String.join("; ", problems));
    }

    /** Keys ConfigAdmin, fileinstall or Karaf add, never meant for the driver. */
    private static boolean bookkeeping(String key) {
        return key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.")
                || key.startsWith(".");
    }

    private static String text(Map<String, ?> properties, String key) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).strip();
        return s.isEmpty() ? null : s;
    }

    private static int number(Map<String, ?> properties, String key, int dflt, int min, int max, List<String> problems) {
        String s = text(properties, key);
        if (s == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + " '" + s + "' must be a whole number from " + min + " to " + max);
        return dflt;
    }

    /** Same device on the same port with the same settings: a re-delivered configuration changes nothing. */
    public boolean sameAs(DeviceConfig other) {
        return other != null && java.util.Objects.equals(id, other.id) && java.util.Objects.equals(type, other.type)
                && java.util.Objects.equals(port, other.port) && java.util.Objects.equals(terminal, other.terminal)
                && serial.equals(other.serial) && options.equals(other.options)
                && java.util.Objects.equals(problem, other.problem);
    }
}
