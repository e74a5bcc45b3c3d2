package org.budayang.dept.tax.internal.ukey;

import java.util.Set;

import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.osgi.service.component.annotations.Component;

/**
 * Driver of the smart tax terminal's UKey dispenser (protocol: README-ukey.md). Lives in the tax
 * bundle: when the department goes, the core detaches its dispensers.
 */
@Component(service = DeviceDriver.class, property = DeviceDriver.TYPE + "=" + UkeyDriver.TYPE)
public final class UkeyDriver implements DeviceDriver {
    public static final String TYPE = "tax.ukey";
    /** The capability 税务UKey申领 requires (module.json). */
    public static final String UKEY_DISPENSER = "ukey.dispenser";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> capabilities() {
        return Set.of(UKEY_DISPENSER);
    }

    @Override
    public Session attach(DeviceContext context) throws DeviceException {
        UkeySettings settings = UkeySettings.from(context.options());
        UkeyClient client = new UkeyClient(context.channel(), context, settings.timeout());
        int lastTx = client.status().lastTx();
        client.reportFailures(true);
        UkeySession session = new UkeySession(client, settings, lastTx);
        context.publish(DeviceActions.class, session, UKEY_DISPENSER);
        return session;
    }
}
