package org.budayang.sandbox.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the sandbox back office behaves (configuration PID {@code org.budayang.sandbox}); changes apply at once. */
@Component(service = SandboxSettings.class, configurationPid = "org.budayang.sandbox")
@Designate(ocd = SandboxSettings.Config.class)
public final class SandboxSettings {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxSettings.class);

    @ObjectClassDefinition(name = "Budayang sandbox back office")
    public @interface Config {
        @AttributeDefinition(description = "false: answer 503 to everything, as a back office that is down")
        boolean available() default true;

        @AttributeDefinition(description = "Milliseconds to wait before answering, as a slow back office")
        int delay_ms() default 0;

        String user() default "sandbox";

        String password() default "sandbox";
    }

    private volatile Config config;

    @Activate
    public SandboxSettings(Config config) {
        this.config = config;
    }

    @Modified
    void modified(Config config) {
        this.config = config;
        LOG.info("Sandbox back office {}", config.available() ? "available" : "DOWN");
    }

    Config config() {
        return config;
    }
}
