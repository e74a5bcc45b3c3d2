package org.budayang.core.device.internal.shell;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceRegistry;

@Command(scope = "budayang", name = "devices", description = "Lists the configured devices and their health")
@Service
public class DevicesCommand implements Action {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Reference
    DeviceRegistry registry;

    @Argument(index = 0, name = "terminal", description = "only this terminal's devices", required = false)
    String terminal;

    @Override
    public Object execute() {
        List<DeviceInfo> devices = terminal == null ? registry.devices() : registry.devices(terminal);
        ShellTable table = new ShellTable();
        table.column("Device");
        table.column("Terminal");
        table.column("Type");
        table.column("Port");
        table.column("State");
        table.column("Errors");
        table.column("Last good reply");
        table.column("Capabilities");
        table.column("Last reply / problem");
        for (DeviceInfo d : devices) {
            table.addRow().addContent(d.id(), nz(d.terminal()), nz(d.type()), nz(d.port()), d.state().name(),
                    d.consecutiveErrors(), d.lastGoodReply() == null ? "never" : TIME.format(d.lastGoodReply()),
                    String.join(" ", new TreeSet<>(d.capabilities())),
                    d.problem() != null ? d.problem() : nz(d.lastReply()));
        }
        table.print(System.out);
        if (devices.isEmpty()) {
            System.out.println(terminal == null ? "No devices configured (etc/org.budayang.device-<name>.cfg)"
                    : "No devices configured for terminal " + terminal);
        }
        return null;
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }
}
