package org.budayang.core.store.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.Test;

/** A database folder left by a kill during the first boot, opened with the real embedded Derby. */
public class UnfinishedDatabaseTest {

    private static EmbeddedDataSource derby(Path db) {
        EmbeddedDataSource ds = new EmbeddedDataSource();
        ds.setDatabaseName(db.toString());
        ds.setCreateDatabase("create");
        return ds;
    }

    private static void shutdown(Path db) {
        EmbeddedDataSource ds = new EmbeddedDataSource();
        ds.setDatabaseName(db.toString());
        ds.setShutdownDatabase("shutdown");
        try (Connection c = ds.getConnection()) {
            // not reached: Derby reports shutdown as an exception
        } catch (SQLException expected) {
        }
    }

    @Test
    public void anEmptyFolderFromACutShortFirstBootNoLongerStopsDerby() throws Exception {
        Path db = Files.createTempDirectory("store").resolve("db").toAbsolutePath();
        Files.createDirectories(db);
        // What the hall hit: Derby refuses to create a database in a folder that exists.
        try (Connection c = derby(db).getConnection()) {
            throw new AssertionError("Derby was expected to refuse the existing folder");
        } catch (SQLException refused) {
            assertTrue(refused.getMessage(), String.valueOf(refused.getNextException()).contains("exists")
                    || refused.getMessage().contains("exists"));
        }
        DataSourceProvider.setAsideUnfinished(db);
        try (Connection c = derby(db).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INT)");
        } finally {
            shutdown(db);
        }
        assertTrue(Files.exists(db.resolve("service.properties")));
    }

    @Test
    public void aFolderWithFilesButNoDatabaseIsMovedAsideNotDeleted() throws Exception {
        Path parent = Files.createTempDirectory("store");
        Path db = parent.resolve("db").toAbsolutePath();
        Files.createDirectories(db.resolve("seg0"));
        Files.writeString(db.resolve("seg0").resolve("c10.dat"), "half written");
        Path aside = DataSourceProvider.setAsideUnfinished(db);
        assertFalse(Files.exists(db));
        assertEquals("half written", Files.readString(aside.resolve("seg0").resolve("c10.dat")));
        try (Connection c = derby(db).getConnection()) {
            assertTrue(Files.exists(db.resolve("service.properties")));
        } finally {
            shutdown(db);
        }
    }

    @Test
    public void aRealDatabaseIsNeverTouched() throws Exception {
        Path db = Files.createTempDirectory("store").resolve("db").toAbsolutePath();
        try (Connection c = derby(db).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INT)");
            s.execute("INSERT INTO t VALUES (42)");
        }
        shutdown(db);
        assertNull(DataSourceProvider.setAsideUnfinished(db));
        try (Connection c = derby(db).getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT x FROM t")) {
            assertTrue(r.next());
            assertEquals(42, r.getInt(1));
        } finally {
            shutdown(db);
        }
    }
}
