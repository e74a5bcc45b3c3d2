package org.budayang.core.catalogue.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.util.List;
import java.util.Set;

import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.ItemKind;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.Terminal;
import org.junit.Test;

public class MenuRuleTest {
    private static Item item(String dept, String code, String... requires) {
        return new Item(code, dept, new LocalizedText("事项" + code, "Item " + code), ItemKind.QUERY, Set.of(requires),
                List.of(), List.of());
    }

    private static ModuleDescriptor module(String code, Item... items) {
        return new ModuleDescriptor(new Department(code, new LocalizedText(code, code)), List.of(items));
    }

    private final ModuleDescriptor tax = module("tax", item("tax", "T-0003", "printer.invoice"), item("tax", "T-0001"),
            item("tax", "T-0002", "ukey.dispenser", "idcard"));
    private final ModuleDescriptor fund = module("housingfund", item("housingfund", "H-0001", "printer.a4"));

    private static List<String> codes(Menu m) {
        return m.departments().stream().flatMap(s -> s.items().stream()).map(Item::code).toList();
    }

    @Test
    public void itemsNeedAllTheirCapabilities() {
        Terminal kiosk = new Terminal("k", "demo", "kiosk", Set.of("idcard", "printer.a4"));
        Menu m = MenuRule.compute(kiosk, List.of(tax, fund), d -> true);
        assertEquals(List.of("H-0001", "T-0001"), codes(m));
        Terminal taxTerminal = new Terminal("t", "demo", "tax", Set.of("idcard", "ukey.dispenser", "printer.invoice"));
        assertEquals(List.of("T-0003", "T-0001", "T-0002"), codes(MenuRule.compute(taxTerminal, List.of(fund, tax), d -> true)));
    }

    @Test
    public void departmentsOrderedByCodeItemsInDescriptorOrderEmptyDepartmentsHidden() {
        Terminal bare = new Terminal("b", "demo", "bare", Set.of());
        Menu m = MenuRule.compute(bare, List.of(tax, fund), d -> true);
        assertEquals(List.of("tax"), m.departments().stream().map(s -> s.department().code()).toList());
        Terminal all = new Terminal("a", "demo", "all", Set.of("idcard", "ukey.dispenser", "printer.invoice", "printer.a4"));
        Menu full = MenuRule.compute(all, List.of(tax, fund), d -> true);
        assertEquals(List.of("housingfund", "tax"), full.departments().stream().map(s -> s.department().code()).toList());
    }

    @Test
    public void disabledModulesAreLeftOutAndTheEtagChanges() {
        Terminal all = new Terminal("a", "demo", "all", Set.of("idcard", "ukey.dispenser", "printer.invoice", "printer.a4"));
        Menu on = MenuRule.compute(all, List.of(tax, fund), d -> true);
        Menu off = MenuRule.compute(all, List.of(tax, fund), d -> !d.equals("tax"));
        assertEquals(List.of("H-0001"), codes(off));
        assertNotEquals(on.etag(), off.etag());
        assertEquals(on.etag(), MenuRule.compute(all, List.of(fund, tax), d -> true).etag());
    }
}
