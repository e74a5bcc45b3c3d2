package org.budayang.core.catalogue.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.hall.HallService;
import org.budayang.api.module.ModuleInfo;
import org.budayang.api.module.ModuleRegistry;
import org.budayang.api.module.ModuleState;

@Command(scope = "budayang", name = "modules", description = "Lists department modules, their state and, with --hall, whether the hall has them enabled")
@Service
public class ModulesCommand implements Action {
    @Reference
    ModuleRegistry registry;

    @Reference
    HallService halls;

    @Option(name = "--hall", description = "Show the switch of this hall")
    String hall;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Department");
        table.column("Bundle");
        table.column("Version");
        table.column("State");
        table.column("Items");
        if (hall != null) {
            table.column("Enabled in " + hall);
        }
        table.column("Reason");
        for (ModuleInfo m : registry.modules()) {
            var row = table.addRow();
            row.addContent(m.department(), m.bundle(), m.version(), m.state().name().toLowerCase(), m.items());
            if (hall != null) {
                row.addContent(m.state() == ModuleState.ACTIVE ? halls.isEnabled(hall, m.department()) : "");
            }
            row.addContent(m.reason() == null ? "" : m.reason());
        }
        table.print(System.out);
        return null;
    }
}
