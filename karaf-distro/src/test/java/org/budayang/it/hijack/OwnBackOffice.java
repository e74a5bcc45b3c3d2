package org.budayang.it.hijack;

import java.util.Hashtable;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.cases.CaseRecord;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** A department's own back office, as the tax module itself may register one (PerimeterIT). */
public class OwnBackOffice implements BundleActivator, BackOffice {
    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(BackOffice.DEPARTMENT, "tax");
        context.registerService(BackOffice.class, this, p);
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service.
    }

    @Override
    public String receive(CaseRecord submitted) {
        return "OWN-" + submitted.number();
    }
}
