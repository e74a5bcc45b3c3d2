package org.budayang.sim.internal.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.budayang.api.device.SimulatorHost;

/** Completes the names of running simulators. */
@Service
public class SimNameCompleter implements Completer {
    @Reference
    SimulatorHost host;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(host.names()).complete(session, commandLine, candidates);
    }
}
