package org.budayang.sim.internal.shell;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.budayang.api.device.SimulatedDevice;
import org.budayang.api.device.SimulatorHost;

/**
 * {@code budayang:sim} lists the running simulators; {@code budayang:sim <name>} shows one;
 * {@code budayang:sim <name> key=value…} scripts it, e.g. {@code budayang:sim demo-01-idcard card=absent}.
 */
@Command(scope = "budayang", name = "sim", description = "Lists simulated devices, shows one, or scripts its behaviour")
@Service
public class SimCommand implements Action {
    @Reference
    SimulatorHost host;

    @Argument(index = 0, name = "name", required = false, description = "a running simulator")
    @Completion(SimNameCompleter.class)
    String name;

    @Argument(index = 1, name = "behaviour", required = false, multiValued = true,
            description = "key=value, e.g. card=absent, door.1.3=stuck, paper=out, scan=<text>, reply=none|corrupt|garbage|normal, delay=<ms>")
    List<String> behaviours;

    @Override
    public Object execute() {
        if (name == null) {
            list();
            return null;
        }
        Optional<SimulatedDevice> sim = host.find(name);
        if (sim.isEmpty()) {
            System.err.println("No simulator '" + name + "' (running: " + String.join(", ", host.names()) + ")");
            return null;
        }
        if (behaviours != null) {
            for (String b : behaviours) {
                try {
                    sim.get().script(b);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    System.err.println(b + ": " + e.getMessage());
                    return null;
                }
            }
        }
        show(sim.get().state());
        return null;
    }

    private void list() {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Type");
        table.column("Port");
        table.column("Reply");
        table.column("State");
        for (String n : host.names()) {
            host.find(n).ifPresent(s -> {
                Map<String, Object> st = s.state();
                String port = st.get("port") + (Boolean.FALSE.equals(st.get("connected")) ? " (unplugged)" : "");
                table.addRow().addContent(n, st.get("type"), port, st.get("reply") + delay(st),
                        st.getOrDefault("summary", ""));
            });
        }
        table.print(System.out);
        System.out.println("Simulator types: " + String.join(" ", host.types()));
    }

    private static String delay(Map<String, Object> st) {
        return st.get("delay") instanceof Number n && n.longValue() > 0 ? " +" + n + " ms" : "";
    }

    @SuppressWarnings("unchecked")
    private static void show(Map<String, Object> state) {
        for (Map.Entry<String, Object> e : state.entrySet()) {
            if (e.getKey().equals("printed") && e.getValue() instanceof List<?> receipts) {
                System.out.println("printed: " + receipts.size() + " receipt(s) kept");
                for (Object r : receipts) {
                    System.out.println("  ---");
                    Object text = r instanceof Map<?, ?> m ? ((Map<String, Object>) m).get("text") : r;
                    String t = String.valueOf(text);
                    for (String line : (t.endsWith("\n") ? t.substring(0, t.length() - 1) : t).split("\n", -1)) {
                        System.out.println("  | " + line);
                    }
                }
                System.out.println("  --- (cut)");
            } else {
                System.out.println(e.getKey() + ": " + e.getValue());
            }
        }
    }
}
