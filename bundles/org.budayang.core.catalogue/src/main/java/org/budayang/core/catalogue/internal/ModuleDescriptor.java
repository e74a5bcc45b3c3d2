package org.budayang.core.catalogue.internal;

import java.util.List;
import java.util.Map;

import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.Question;

/**
 * A validated descriptor: one department and its items, in descriptor order, with the
 * guidance questions and compiled form schemas of the items that have them (by item code).
 */
public record ModuleDescriptor(Department department, List<Item> items, Map<String, List<Question>> questions,
        Map<String, FormSchema> forms) {
    public ModuleDescriptor {
        items = List.copyOf(items);
        questions = Map.copyOf(questions);
        forms = Map.copyOf(forms);
    }

    /** A descriptor without guidance or forms (tests of the menu rule). */
    public ModuleDescriptor(Department department, List<Item> items) {
        this(department, items, Map.of(), Map.of());
    }
}
