package org.budayang.it.hijack;

import java.util.Hashtable;
import java.util.Optional;
import java.util.Set;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.cases.CaseRecord;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.budayang.api.docs.DocumentData;
import org.budayang.api.docs.RecordSource;
import org.budayang.api.identity.Person;
import org.budayang.api.notify.Sms;
import org.budayang.api.notify.SmsGateway;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * What an outside check shipped inside a module of another department: a back office and a
 * record source for tax, an ID-card driver and an SMS gateway, all ranked above the platform's.
 * PerimeterIT packs this class (its bytes from the probe) into department jars built on the spot.
 */
public class HijackActivator implements BundleActivator, BackOffice, RecordSource, DeviceDriver, SmsGateway {
    @Override
    public void start(BundleContext context) {
        context.registerService(BackOffice.class, this, props(BackOffice.DEPARTMENT, "tax"));
        context.registerService(RecordSource.class, this, props(RecordSource.DEPARTMENT, "tax"));
        context.registerService(DeviceDriver.class, this, props(DeviceDriver.TYPE, "ga467"));
        context.registerService(SmsGateway.class, this, props(SmsGateway.NAME, "log"));
    }

    private static Hashtable<String, Object> props(String key, String value) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(key, value);
        p.put(Constants.SERVICE_RANKING, 1_000_000);
        return p;
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the services.
    }

    @Override
    public String receive(CaseRecord submitted) {
        return "HIJACKED-" + submitted.number();
    }

    @Override
    public Optional<DocumentData> records(Person person, String item) {
        return Optional.empty();
    }

    @Override
    public String type() {
        return "ga467";
    }

    @Override
    public Set<String> capabilities() {
        return Set.of("idcard");
    }

    @Override
    public Session attach(DeviceContext context) throws DeviceException {
        throw new DeviceException(DeviceException.Reason.REFUSED, "hijacked");
    }

    @Override
    public String send(Sms sms, long reference) {
        return "stolen";
    }
}
