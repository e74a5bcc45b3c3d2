package org.budayang.core.notify.internal;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.budayang.api.notify.SmsGateway;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: a single background thread looks for due messages every
 * {@code poll.interval.ms} and sends them through the configured {@link SmsGateway}. Polling
 * (rather than a signal from {@code enqueue}) is what sees a message only after its
 * transaction committed; a due-index probe every 250 ms costs next to nothing.
 */
@Component(configurationPid = "org.budayang.notify", immediate = true, service = {})
@Designate(ocd = NotifyConfig.class)
public final class OutboxSender {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);
    static final int BATCH = 100;

    private final Map<String, SmsGateway> gateways = new ConcurrentHashMap<>();
    private final Dispatcher dispatcher;
    private final String gatewayName;
    private final ScheduledExecutorService thread;
    private volatile boolean stopping;
    private volatile boolean warnedMissing;
    private volatile boolean warnedFailure;

    @Activate
    public OutboxSender(@Reference(target = "(budayang.store=main)") DataSource db, @Reference NodeId node, NotifyConfig config) {
        this.gatewayName = config.gateway().trim();
        Dispatcher.Settings settings = new Dispatcher.Settings(Math.max(1, config.maxAttempts()),
                new Backoff(Duration.ofMillis(Math.max(1, config.backoff_base_ms())),
                        Duration.ofMillis(Math.max(Math.max(1, config.backoff_base_ms()), config.backoff_max_ms()))),
                Duration.ofSeconds(Math.max(1, config.lease_seconds())), BATCH);
        LeaseHolder holder = new LeaseHolder(node.value(), LeaseHolder.thisRun());
        this.dispatcher = new Dispatcher(new OutboxTable(db), settings, Clock.systemUTC(), holder);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "budayang-sms-sender");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, config.poll_interval_ms());
        thread.scheduleWithFixedDelay(this::pass, every, every, TimeUnit.MILLISECONDS);
        LOG.info("SMS sender started: gateway '{}', up to {} attempts, back-off {}..{} ms, polling every {} ms; node {}, run {}",
                gatewayName, settings.maxAttempts(), settings.backoff().base().toMillis(), settings.backoff().max().toMillis(),
                every, holder.node(), holder.run());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGateway(SmsGateway gateway, Map<String, Object> props) {
        Object name = props.get(SmsGateway.NAME);
        if (name != null) {
            gateways.put(name.toString(), gateway);
        }
    }

    void removeGateway(SmsGateway gateway, Map<String, Object> props) {
        Object name = props.get(SmsGateway.NAME);
        if (name != null) {
            gateways.remove(name.toString(), gateway);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        // Let a send in progress finish and be recorded, so a configuration change does not
        // leave a message to the lease (and a possible second send).
        stopping = true;
        thread.shutdown();
        if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
            thread.shutdownNow();
        }
    }

    private void pass() {
        SmsGateway gateway = gateways.get(gatewayName);
        if (gateway == null) {
            if (!warnedMissing) {
                warnedMissing = true;
                LOG.warn("No SMS gateway '{}' is available{}; messages wait in the outbox", gatewayName,
                        gatewayName.equals("smpp") ? " (configure etc/org.budayang.notify.smpp.cfg)" : "");
            }
            return;
        }
        if (warnedMissing) {
            warnedMissing = false;
            LOG.info("SMS gateway '{}' is available", gatewayName);
        }
        try {
            dispatcher.pass(gateway, gatewayName, () -> stopping);
            warnedFailure = false;
        } catch (SQLException | RuntimeException e) {
            // Keep the thread alive; say it once per outage rather than every 250 ms.
            if (!warnedFailure) {
                warnedFailure = true;
                LOG.warn("SMS sender pass failed (will keep trying): {}", e.toString());
            }
        }
    }
}
