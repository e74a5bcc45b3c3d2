package org.budayang.core.catalogue.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.budayang.api.catalogue.LocalizedText;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a hall and its terminals from {@code etc/org.budayang.demo.cfg} if they do not exist
 * yet, so that a fresh distribution has something to show. Existing rows are left alone: the
 * admin's later changes win.
 *
 * <pre>
 * hall.id = demo
 * hall.name.zh = 不打烊示范大厅
 * hall.name.en = Budayang Demo Hall
 * terminal.demo-01 = 综合自助一体机 | idcard qrcode printer.receipt printer.a4 | demo-01-token-change-me
 * </pre>
 * The optional third part is the terminal's token, so that demo kiosks can log citizens in.
 */
@Component(configurationPid = "org.budayang.demo", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class DemoSeed {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSeed.class);

    @Activate
    public DemoSeed(@Reference HallStore halls, Map<String, Object> config) {
        String hall = String.valueOf(config.getOrDefault("hall.id", "demo"));
        if (halls.hall(hall).isEmpty()) {
            halls.createHall(hall, new LocalizedText(String.valueOf(config.getOrDefault("hall.name.zh", hall)),
                    String.valueOf(config.getOrDefault("hall.name.en", hall))));
        }
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(config).entrySet()) {
            if (!e.getKey().startsWith("terminal.")) {
                continue;
            }
            String id = e.getKey().substring("terminal.".length());
            if (halls.terminal(id).isPresent()) {
                continue;
            }
            String[] parts = String.valueOf(e.getValue()).split("\\|", 3);
            Set<String> caps = new TreeSet<>();
            if (parts.length > 1) {
                for (String c : parts[1].trim().split("[\\s,]+")) {
                    if (!c.isEmpty()) {
                        caps.add(c);
                    }
                }
            }
            if (parts.length > 2 && !parts[2].isBlank()) {
                halls.register(hall, id, parts[0].trim(), caps, parts[2].trim());
            } else {
                halls.register(hall, id, parts[0].trim(), caps);
            }
        }
        LOG.info("Demo hall '{}' ready with {} terminals", hall, halls.terminals(hall).size());
    }
}
