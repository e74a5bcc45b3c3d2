package org.budayang.sandbox.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.context.ServletContextHelper;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardContext;

/**
 * The sandbox lives in a servlet context of its own, so that reconfiguring it (outage drills)
 * never re-initializes the context that serves the platform's API.
 */
@Component(service = ServletContextHelper.class)
@HttpWhiteboardContext(name = SandboxContext.NAME, path = "/sandbox")
public final class SandboxContext extends ServletContextHelper {
    static final String NAME = "budayang-sandbox";
}
