package org.budayang.core.catalogue.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.budayang.api.hall.HallService;

@Command(scope = "budayang", name = "disable", description = "Switches a department module off for a hall (it stays installed); persisted")
@Service
public class DisableCommand implements Action {
    @Reference
    HallService halls;

    @Argument(index = 0, name = "hall", required = true)
    String hall;

    @Argument(index = 1, name = "department", required = true)
    String department;

    @Override
    public Object execute() {
        halls.setEnabled(hall, department, false, "shell");
        System.out.println("Module " + department + " disabled for hall " + hall);
        return null;
    }
}
