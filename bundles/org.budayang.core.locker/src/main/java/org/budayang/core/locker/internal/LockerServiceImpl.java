package org.budayang.core.locker.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.budayang.api.cases.CaseService;
import org.budayang.api.device.Capabilities;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.device.LockBoard;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.api.identity.CitizenSession;
import org.budayang.api.locker.AuditEntry;
import org.budayang.api.locker.Cabinet;
import org.budayang.api.locker.Compartment;
import org.budayang.api.locker.LockerService;
import org.budayang.api.locker.Overview;
import org.budayang.api.locker.Parcel;
import org.budayang.api.locker.Size;
import org.budayang.api.locker.Staff;
import org.budayang.api.notify.Outbox;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The locker service in the container: the database, the outbox and cases are required; lock
 * boards, ID-card readers, receipt printers and cabinets come and go while it runs (a board
 * that is offline makes its cabinet answer 503 until it is back). Settings are PID
 * {@code org.budayang.locker}; a change restarts the service, which is safe at any point because
 * every door command is reconciled from the database.
 */
@Component(configurationPid = "org.budayang.locker", service = LockerService.class, immediate = true)
public final class LockerServiceImpl implements LockerService {
    private static final Logger LOG = LoggerFactory.getLogger(LockerServiceImpl.class);

    private final Map<String, LockBoard> boards = new ConcurrentHashMap<>();
    private final Map<String, IdCardReader> readers = new ConcurrentHashMap<>();
    private final Map<String, ReceiptPrinter> printers = new ConcurrentHashMap<>();
    private final Lockers lockers;
    private final ScheduledExecutorService doors;
    private final java.util.concurrent.ExecutorService watchers;

    @Activate
    public LockerServiceImpl(@Reference(target = "(budayang.store=main)") DataSource db, @Reference Outbox outbox,
            @Reference CaseService cases, Map<String, Object> properties) throws IOException {
        Settings settings = Settings.from(properties);
        byte[] key = Codes.key(settings.codeKey(),
                Path.of(System.getProperty("karaf.data", "data"), "budayang", "keys", "locker.key"));
        Lockers.Devices devices = new Lockers.Devices() {
            @Override
            public Optional<LockBoard> board(String device) {
                return Optional.ofNullable(boards.get(device));
            }

            @Override
            public Optional<IdCardReader> reader(String terminal) {
                return Optional.ofNullable(readers.get(terminal));
            }

            @Override
            public Optional<ReceiptPrinter> printer(String terminal) {
                return Optional.ofNullable(printers.get(terminal));
            }
        };
        // Per-bus passes of the door watcher; a few threads, as each pass mostly waits on its bus or Derby.
        watchers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "budayang-locker-bus");
            t.setDaemon(true);
            return t;
        });
        lockers = new Lockers(new Db(db), outbox, cases, devices, settings,
                new Codes(key, new SecureRandom()), Clock.systemUTC(), watchers);
        doors = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "budayang-locker-doors");
            t.setDaemon(true);
            return t;
        });
        long every = settings.doorPoll().toMillis();
        doors.scheduleWithFixedDelay(lockers::tick, every, every, TimeUnit.MILLISECONDS);
        LOG.info("Lockers: codes of at least {} digits (more where a cabinet needs them) valid {} h; {} free wrong codes "
                + "per cabinet, then each code waits up to {} s after the last wrong one; a case holds at most {} "
                + "compartment(s) with materials and {} with its result; doors polled every {} ms, staff phones for {}",
                settings.codeLength(), settings.codeValidity().toHours(), settings.freeAttempts(),
                settings.codeWait().toSeconds(), settings.maxMaterials(), settings.maxResults(), every,
                settings.staffPhones().keySet());
        if (!settings.obsolete().isEmpty()) {
            LOG.warn("Lockers: {} in etc/org.budayang.locker.cfg no longer apply (there is no cabinet-wide lock-out any "
                    + "more): see code.free.attempts and code.wait.seconds", settings.obsolete());
        }
    }

    @Deactivate
    void deactivate() {
        doors.shutdownNow();
        watchers.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCabinet(CabinetComponent cabinet) {
        if (!lockers.addCabinet(cabinet.spec(), false)) {
            LOG.error("Cabinet id '{}' is configured twice: the second configuration is ignored", cabinet.spec().id());
        }
    }

    void removeCabinet(CabinetComponent cabinet) {
        lockers.removeCabinet(cabinet.spec());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBoard(LockBoard board, Map<String, Object> props) {
        Object id = props.get(Capabilities.DEVICE);
        if (id != null) {
            boards.put(id.toString(), board);
        }
    }

    void removeBoard(LockBoard board, Map<String, Object> props) {
        Object id = props.get(Capabilities.DEVICE);
        if (id != null) {
            boards.remove(id.toString(), board);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addReader(IdCardReader reader, Map<String, Object> props) {
        Object t = props.get(Capabilities.TERMINAL);
        if (t != null) {
            readers.put(t.toString(), reader);
        }
    }

    void removeReader(IdCardReader reader, Map<String, Object> props) {
        Object t = props.get(Capabilities.TERMINAL);
        if (t != null) {
            readers.remove(t.toString(), reader);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addPrinter(ReceiptPrinter printer, Map<String, Object> props) {
        Object t = props.get(Capabilities.TERMINAL);
        if (t != null) {
            printers.put(t.toString(), printer);
        }
    }

    void removePrinter(ReceiptPrinter printer, Map<String, Object> props) {
        Object t = props.get(Capabilities.TERMINAL);
        if (t != null) {
            printers.remove(t.toString(), printer);
        }
    }

    // ---- LockerService, delegated ---------------------------------------------------------------

    @Override
    public List<Cabinet> cabinets(String hall) {
        return lockers.cabinets(hall);
    }

    @Override
    public Optional<Cabinet> cabinet(String id) {
        return lockers.cabinet(id);
    }

    @Override
    public Optional<Parcel> parcel(long id) {
        return lockers.parcel(id);
    }

    @Override
    public Parcel depositMaterials(String cabinet, CitizenSession session, String caseNumber, Size size, String phone) {
        return lockers.depositMaterials(cabinet, session, caseNumber, size, phone);
    }

    @Override
    public Parcel depositResult(String cabinet, Staff staff, String caseNumber, Size size, String phone) {
        return lockers.depositResult(cabinet, staff, caseNumber, size, phone);
    }

    @Override
    public Parcel pickupWithCode(String cabinet, String code) {
        return lockers.pickupWithCode(cabinet, code);
    }

    @Override
    public Parcel pickupByStaff(String cabinet, Staff staff, String caseNumber) {
        return lockers.pickupByStaff(cabinet, staff, caseNumber);
    }

    @Override
    public Parcel pickupWithIdCard(String cabinet, Duration wait) {
        return lockers.pickupWithIdCard(cabinet, wait);
    }

    @Override
    public Compartment openByHand(String cabinet, int compartment, String admin, String reason) {
        return lockers.openByHand(cabinet, compartment, admin, reason);
    }

    @Override
    public Compartment setOutOfService(String cabinet, int compartment, boolean outOfService, String admin, String reason) {
        return lockers.setOutOfService(cabinet, compartment, outOfService, admin, reason);
    }

    @Override
    public Overview overview(String cabinet, int recentAudit) {
        return lockers.overview(cabinet, recentAudit);
    }

    @Override
    public List<AuditEntry> audit(String cabinet, int limit) {
        return lockers.audit(cabinet, limit);
    }
}
