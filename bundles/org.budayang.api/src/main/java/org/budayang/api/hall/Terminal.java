package org.budayang.api.hall;

import java.util.Set;

/**
 * A kiosk in a hall and the device capabilities it has (e.g. {@code idcard}, {@code printer.a4}).
 */
public record Terminal(String id, String hall, String name, Set<String> capabilities) {
    public Terminal {
        capabilities = Set.copyOf(capabilities);
    }
}
