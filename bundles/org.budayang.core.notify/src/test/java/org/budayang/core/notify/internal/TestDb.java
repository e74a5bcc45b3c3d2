package org.budayang.core.notify.internal;

import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.flywaydb.core.Flyway;

/** A fresh in-memory Derby with the platform's real migrations (from core.store). */
final class TestDb {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private TestDb() {
    }

    static DataSource create() {
        System.setProperty("derby.stream.error.file", "target/derby.log");
        EmbeddedDataSource ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:outbox-test-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet());
        ds.setCreateDatabase("create");
        Flyway.configure().dataSource(ds).locations("classpath:org/budayang/core/store/migration").load().migrate();
        return ds;
    }
}
