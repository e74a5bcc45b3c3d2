package org.budayang.core.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Hashtable;
import java.util.Properties;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the database: opens it, applies the versioned migrations, and only then publishes the
 * {@link DataSource}, so no consumer ever sees an unmigrated schema.
 */
@Component(configurationPid = "org.budayang.store", configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = StoreConfig.class)
public final class DataSourceProvider {
    static final String MIGRATIONS = "classpath:org/budayang/core/store/migration";
    private static final Logger LOG = LoggerFactory.getLogger(DataSourceProvider.class);

    private final String derbyUrl;
    private final Thread opener;
    private volatile ServiceRegistration<DataSource> registration;
    private volatile boolean closing;

    @Activate
    public DataSourceProvider(BundleContext context, StoreConfig config,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            DataSourceFactory factory) throws SQLException {
        String url = config.url().isBlank() ? defaultUrl() : config.url().trim();
        if (url.startsWith("jdbc:derby:")) {
            derbyUrl = url;
        } else {
            derbyUrl = null;
            if (factory == null) {
                throw new SQLException("No DataSourceFactory for " + url
                        + ": install the JDBC driver's OSGi bundle and set dataSourceFactory.target");
            }
        }
        // Opening and migrating is the longest single step of a start (a first boot creates the
        // database): it runs beside the rest of the boot instead of holding up the framework's
        // start thread. Nothing sees the DataSource before the schema is migrated; consumers
        // wait for the service, and the API answers 503 starting until they are up.
        opener = new Thread(() -> open(context, url, config, factory), "budayang-store-open");
        opener.start();
    }

    private void open(BundleContext context, String url, StoreConfig config, DataSourceFactory factory) {
        long t0 = System.nanoTime();
        try {
            DataSource ds;
            if (derbyUrl != null) {
                ds = derby(url, config);
            } else {
                Properties p = new Properties();
                p.put(DataSourceFactory.JDBC_URL, url);
                if (!config.user().isEmpty()) {
                    p.put(DataSourceFactory.JDBC_USER, config.user());
                    p.put(DataSourceFactory.JDBC_PASSWORD, config.password());
                }
                ds = factory.createDataSource(p);
            }
            MigrateResult result = migrate(ds);
            LOG.info("Database {} at schema version {} ({} migrations applied now) in {} ms", redact(url),
                    result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
                    result.migrationsExecuted, (System.nanoTime() - t0) / 1_000_000L);
            if (closing) {
                return;
            }
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("budayang.store", "main");
            registration = context.registerService(DataSource.class, ds, props);
        } catch (SQLException | RuntimeException e) {
            LOG.error("The database {} could not be opened or migrated: nothing that needs it will start, and the API "
                    + "answers 503 starting. Fix the cause and restart the bundle org.budayang.core.store", redact(url), e);
        }
    }

    static MigrateResult migrate(DataSource ds) {
        // Flyway scans the classpath of the loader we give it: this bundle's, where the SQL lives.
        return Flyway.configure(DataSourceProvider.class.getClassLoader())
                .dataSource(ds)
                .locations(MIGRATIONS)
                .load()
                .migrate();
    }

    private static String defaultUrl() {
        String data = System.getProperty("karaf.data", "data");
        Path db = Path.of(data, "budayang", "db").toAbsolutePath();
        return "jdbc:derby:" + db + ";create=true";
    }

    private static DataSource derby(String url, StoreConfig config) throws SQLException {
        // Keep derby.log out of the working directory.
        if (System.getProperty("derby.stream.error.file") == null) {
            Path log = Path.of(System.getProperty("karaf.data", "data"), "log", "derby.log").toAbsolutePath();
            System.setProperty("derby.stream.error.file", log.toString());
        }
        EmbeddedDataSource ds = new EmbeddedDataSource();
        String rest = url.substring("jdbc:derby:".length());
        int semi = rest.indexOf(';');
        ds.setDatabaseName(semi < 0 ? rest : rest.substring(0, semi));
        if (semi < 0 || rest.substring(semi).contains("create=true")) {
            setAsideUnfinished(Path.of(ds.getDatabaseName()));
        }
        if (semi >= 0) {
            String attrs = rest.substring(semi + 1);
            if (attrs.contains("create=true")) {
                ds.setCreateDatabase("create");
            }
            ds.setConnectionAttributes(attrs.replace("create=true", "").replaceAll(";;+", ";"));
        } else {
            ds.setCreateDatabase("create");
        }
        if (!config.user().isEmpty()) {
            ds.setUser(config.user());
            ds.setPassword(config.password());
        }
        try (Connection c = ds.getConnection()) {
            LOG.debug("Derby opened: {}", c.getMetaData().getURL());
        }
        return ds;
    }

    /**
     * A kill during the very first boot can leave the database folder without
     * {@code service.properties}, the file Derby writes when a database exists; Derby then refuses
     * to create it ("Directory ... already exists") on every later start. Such a folder is no
     * database and holds no data Derby could open, but it is moved aside, never deleted, so that
     * whatever is in it stays for a person to look at.
     *
     * @return where it was moved, or null if there was nothing to do
     */
    static Path setAsideUnfinished(Path db) {
        if (!db.isAbsolute() || !Files.isDirectory(db) || Files.exists(db.resolve("service.properties"))) {
            return null;
        }
        try {
            boolean empty;
            try (java.util.stream.Stream<Path> s = Files.list(db)) {
                empty = s.findAny().isEmpty();
            }
            if (empty) {
                Files.delete(db);
                LOG.warn("Database folder {} was empty (a first start cut short): creating the database", db);
                return db;
            }
            Path aside = db.resolveSibling(db.getFileName() + ".unfinished-"
                    + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.move(db, aside);
            LOG.warn("Database folder {} has no service.properties: a first start was cut short while Derby created it. "
                    + "Moved it to {} (kept, not deleted) and creating the database anew", db, aside);
            return aside;
        } catch (IOException e) {
            LOG.error("Database folder {} is an unfinished Derby database and cannot be moved aside", db, e);
            return null;
        }
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        closing = true;
        // A migration under way finishes first: Derby is shut down only once nobody writes to it.
        opener.join();
        ServiceRegistration<DataSource> r = registration;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework took it down with the bundle.
            }
        }
        if (derbyUrl != null) {
            // Shut the embedded database down cleanly so a restart of this bundle can reopen it.
            EmbeddedDataSource shutdown = new EmbeddedDataSource();
            String rest = derbyUrl.substring("jdbc:derby:".length());
            int semi = rest.indexOf(';');
            shutdown.setDatabaseName(semi < 0 ? rest : rest.substring(0, semi));
            shutdown.setShutdownDatabase("shutdown");
            try (Connection c = shutdown.getConnection()) {
                LOG.warn("Derby did not report its shutdown");
            } catch (SQLException expected) {
                LOG.info("Derby database closed ({})", expected.getSQLState());
            }
        }
    }
}
