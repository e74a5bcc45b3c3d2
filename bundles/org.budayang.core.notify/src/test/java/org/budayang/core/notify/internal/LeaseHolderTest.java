package org.budayang.core.notify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The node id that tells this node's own leases from other nodes' after a restart. */
public class LeaseHolderTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theIdIsMadeOnceInTheDataFolderAndKeptAcrossRestarts() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("budayang/node.id");
        String first = LeaseHolder.nodeId("", file);
        assertTrue(Files.exists(file));
        assertEquals("the next start reads the same id", first, LeaseHolder.nodeId(null, file));
        Path other = tmp.getRoot().toPath().resolve("other/budayang/node.id");
        assertNotEquals("another data folder, another node", first, LeaseHolder.nodeId("", other));
    }

    @Test
    public void aConfiguredIdWinsAndIsChecked() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("budayang/node.id");
        assertEquals("hall-3-node-1", LeaseHolder.nodeId("  hall-3-node-1 ", file));
        assertTrue("nothing written when configured", Files.notExists(file));
        assertThrows(IllegalArgumentException.class, () -> LeaseHolder.nodeId("x".repeat(65), file));
    }

    @Test
    public void theRunIsThisProcess() {
        assertEquals(LeaseHolder.thisRun(), LeaseHolder.thisRun());
        assertTrue(LeaseHolder.thisRun().startsWith(ProcessHandle.current().pid() + "@"));
    }
}
