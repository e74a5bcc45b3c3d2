package org.budayang.core.catalogue.internal;

import java.util.List;

import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;

/** A validated descriptor: one department and its items, in descriptor order. */
public record ModuleDescriptor(Department department, List<Item> items) {
    public ModuleDescriptor {
        items = List.copyOf(items);
    }
}
