package org.budayang.api.catalogue;

import java.util.List;

/** A variant of an item that changes which materials are needed. 情形 */
public record Situation(String code, LocalizedText name, List<String> materials) {
    public Situation {
        materials = List.copyOf(materials);
    }
}
