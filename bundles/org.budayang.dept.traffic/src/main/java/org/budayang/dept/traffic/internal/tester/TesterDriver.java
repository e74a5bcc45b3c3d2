package org.budayang.dept.traffic.internal.tester;

import java.util.Set;

import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceException;
import org.osgi.service.component.annotations.Component;

/**
 * Driver of the self-exam terminal's height/vision tester (protocol: README-tester.md). Lives in
 * the traffic bundle: when the department goes, the core detaches its testers.
 */
@Component(service = DeviceDriver.class, property = DeviceDriver.TYPE + "=" + TesterDriver.TYPE)
public final class TesterDriver implements DeviceDriver {
    public static final String TYPE = "traffic.tester";
    /** The capabilities 驾驶证期满换证 requires (module.json). */
    public static final String HEIGHT_TESTER = "height.tester";
    public static final String VISION_TESTER = "vision.tester";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<String> capabilities() {
        return Set.of(HEIGHT_TESTER, VISION_TESTER);
    }

    @Override
    public Session attach(DeviceContext context) throws DeviceException {
        TesterSettings settings = TesterSettings.from(context.options());
        TesterClient client = new TesterClient(context.channel(), context, settings.timeout());
        client.status();
        client.reportFailures(true);
        TesterSession session = new TesterSession(client, settings);
        context.publish(DeviceActions.class, session, HEIGHT_TESTER);
        context.publish(DeviceActions.class, session, VISION_TESTER);
        return session;
    }
}
