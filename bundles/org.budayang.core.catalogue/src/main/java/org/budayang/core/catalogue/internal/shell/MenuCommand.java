package org.budayang.core.catalogue.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.catalogue.Item;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.MenuService;

@Command(scope = "budayang", name = "menu", description = "Shows the menu a terminal offers")
@Service
public class MenuCommand implements Action {
    @Reference
    MenuService menus;

    @Argument(index = 0, name = "terminal", required = true)
    String terminal;

    @Override
    public Object execute() {
        Menu menu = menus.menu(terminal).orElse(null);
        if (menu == null) {
            System.err.println("No terminal '" + terminal + "'");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Department");
        table.column("Item");
        table.column("Name");
        table.column("Kind");
        table.column("Requires");
        for (Menu.Section s : menu.departments()) {
            for (Item i : s.items()) {
                table.addRow().addContent(s.department().code(), i.code(),
                        i.name().zh() + " / " + i.name().en(), i.kind().name().toLowerCase(),
                        String.join(" ", new java.util.TreeSet<>(i.requires())));
            }
        }
        System.out.println("Terminal " + menu.terminal() + " in hall " + menu.hall() + " (ETag " + menu.etag() + ")");
        table.print(System.out);
        return null;
    }
}
