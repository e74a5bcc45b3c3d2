package org.budayang.api.hall;

import java.util.List;

import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;

/**
 * What a terminal offers: items of modules enabled for its hall whose required capabilities
 * the terminal has, grouped by department.
 *
 * @param etag changes whenever the content changes
 */
public record Menu(String terminal, String hall, List<Section> departments, String etag) {
    public Menu {
        departments = List.copyOf(departments);
    }

    public record Section(Department department, List<Item> items) {
        public Section {
            items = List.copyOf(items);
        }
    }
}
