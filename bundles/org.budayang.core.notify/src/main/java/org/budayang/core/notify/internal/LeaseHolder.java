package org.budayang.core.notify.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Who holds a lease on an outbox message: the node (stable across restarts) and its run (this
 * JVM process). A node that finds leases of its own node but of an earlier run knows their
 * sender is dead, because one node id runs in one process at a time; a lease of another node,
 * or of this very process (a sender restarted by a configuration change may still be finishing
 * its send), is waited out.
 */
record LeaseHolder(String node, String run) {
    static final int MAX = 64;

    LeaseHolder {
        if (node == null || node.isBlank() || node.length() > MAX || run == null || run.isBlank() || run.length() > MAX) {
            throw new IllegalArgumentException("node and run ids need 1 to " + MAX + " characters");
        }
    }

    /**
     * The configured id, or the one in {@code file}, made (a random UUID) on first start. The
     * file lives in the node's data folder, so a copy of that folder (a cloned machine) copies
     * the id too: delete the file on the copy, or configure one.
     */
    static String nodeId(String configured, Path file) throws IOException {
        if (configured != null && !configured.isBlank()) {
            String id = configured.strip();
            if (id.length() > MAX) {
                throw new IllegalArgumentException("node.id has more than " + MAX + " characters");
            }
            return id;
        }
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            // Written aside and moved in: a kill mid-write leaves no empty id behind. Karaf's lock
            // on the data folder keeps a second process from doing the same at once.
            Path tmp = Files.createTempFile(file.getParent(), "node.id", ".tmp");
            Files.writeString(tmp, UUID.randomUUID() + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (id.isEmpty() || id.length() > MAX) {
            throw new IOException(file + " must hold the node id (1 to " + MAX + " characters)");
        }
        return id;
    }

    /** This JVM process: its pid and start time, the same for every bundle (and class loader) in it. */
    static String thisRun() {
        return ProcessHandle.current().pid() + "@" + ManagementFactory.getRuntimeMXBean().getStartTime();
    }
}
