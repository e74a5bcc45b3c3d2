package org.budayang.api.locker;

import java.util.List;

/**
 * A smart file cabinet (智能文件柜) as configured, with its compartments as they are now.
 *
 * @param terminal the cabinet's own terminal: its ID-card reader serves pickups by ID card and
 *        its receipt printer prints slips
 * @param lockDevice the device id of the cabinet's lock bus (capability {@code locker})
 * @param online whether that lock bus is attached now
 */
public record Cabinet(String id, String hall, String name, String terminal, String lockDevice, boolean online,
        List<Compartment> compartments) {
    public Cabinet {
        compartments = List.copyOf(compartments);
    }
}
