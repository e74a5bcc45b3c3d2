package org.budayang.api.docs;

import java.util.List;

import org.budayang.api.catalogue.LocalizedText;

/**
 * What a department's system says about a person for one item: labelled values and tables,
 * printed in this order.
 *
 * @param title the document's title as the department names it (e.g. 住房公积金缴存证明);
 *        null to use the item's name
 */
public record DocumentData(LocalizedText title, List<Line> lines, List<Table> tables) {
    public DocumentData {
        lines = List.copyOf(lines);
        tables = List.copyOf(tables);
    }

    public record Line(LocalizedText label, String value) {
    }

    /** @param rows each as many cells as there are columns */
    public record Table(LocalizedText caption, List<LocalizedText> columns, List<List<String>> rows) {
        public Table {
            columns = List.copyOf(columns);
            rows = rows.stream().map(List::copyOf).toList();
            for (List<String> r : rows) {
                if (r.size() != columns.size()) {
                    throw new IllegalArgumentException("a row has " + r.size() + " cells for " + columns.size() + " columns");
                }
            }
        }
    }
}
