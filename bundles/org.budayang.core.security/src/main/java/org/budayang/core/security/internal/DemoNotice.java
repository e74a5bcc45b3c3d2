package org.budayang.core.security.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The demo hall says at every start what it is: a hall anyone can log into. */
@Component(immediate = true, service = {})
public final class DemoNotice {
    private static final Logger LOG = LoggerFactory.getLogger(DemoNotice.class);
    /** Set in the demo hall's etc/system.properties only. */
    public static final String PROPERTY = "budayang.demo";

    @Activate
    public DemoNotice() {
        if (Boolean.getBoolean(PROPERTY)) {
            LOG.warn("DEMO HALL: this node runs with PUBLIC demo keys and passwords (admin/admin and the other users in "
                    + "etc/users.properties, the login keys in etc/org.budayang.identity.*.cfg, demo terminal tokens) and accepts "
                    + "unsigned department modules. Never use it for a real hall: install the production server archive "
                    + "(budayang-server-*.tar.gz).");
        }
    }
}
