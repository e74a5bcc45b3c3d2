package org.budayang.core.catalogue.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.hall.Hall;
import org.budayang.api.hall.HallService;
import org.budayang.api.hall.Terminal;

@Command(scope = "budayang", name = "halls", description = "Lists halls and their terminals with capabilities")
@Service
public class HallsCommand implements Action {
    @Reference
    HallService halls;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Hall");
        table.column("Terminal");
        table.column("Name");
        table.column("Capabilities");
        for (Hall h : halls.halls()) {
            table.addRow().addContent(h.id(), "", h.name().zh() + " / " + h.name().en(), "");
            for (Terminal t : halls.terminals(h.id())) {
                table.addRow().addContent("", t.id(), t.name(), String.join(" ", new java.util.TreeSet<>(t.capabilities())));
            }
        }
        table.print(System.out);
        return null;
    }
}
