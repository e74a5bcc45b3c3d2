package org.budayang.api.catalogue;

import java.util.List;
import java.util.Set;

/**
 * One government service (事项).
 *
 * @param code national item code, unique across all departments
 * @param department code of the department that owns it
 * @param requires device capabilities a terminal must have to offer it
 */
public record Item(String code, String department, LocalizedText name, ItemKind kind,
        Set<String> requires, List<Situation> situations, List<Material> materials) {
    public Item {
        requires = Set.copyOf(requires);
        situations = List.copyOf(situations);
        materials = List.copyOf(materials);
    }
}
