package org.budayang.core.notify.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * This node's stable id: {@code node.id} in the node's own configuration
 * ({@code etc/org.budayang.node.cfg}), else the UUID kept in {@code ${karaf.data}/budayang/node.id}
 * (made on first start). Read once at activation: the outbox's leases carry it, so it must not
 * change under a running sender; an edit of the node's other settings changes nothing here.
 */
@Component(service = NodeId.class, configurationPid = "org.budayang.node")
public final class NodeId {
    private final String value;

    @Activate
    public NodeId(Map<String, Object> config) throws IOException {
        Object configured = config.get("node.id");
        this.value = LeaseHolder.nodeId(configured == null ? null : configured.toString(),
                Path.of(System.getProperty("karaf.data", "data"), "budayang", "node.id"));
    }

    @Modified
    void modified() {
        // Keeps the id of this run; a new node.id counts from the next start.
    }

    String value() {
        return value;
    }
}
