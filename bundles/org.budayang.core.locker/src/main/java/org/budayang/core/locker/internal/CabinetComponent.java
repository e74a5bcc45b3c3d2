package org.budayang.core.locker.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cabinet per factory configuration {@code org.budayang.cabinet}: adding, changing or
 * deleting the configuration adds, changes or removes the cabinet while the platform runs.
 */
@Component(configurationPid = "org.budayang.cabinet", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = CabinetComponent.class)
@Designate(ocd = CabinetConfig.class, factory = true)
public final class CabinetComponent {
    private static final Logger LOG = LoggerFactory.getLogger(CabinetComponent.class);
    private final CabinetSpec spec;

    @Activate
    public CabinetComponent(CabinetConfig config) {
        try {
            spec = CabinetSpec.of(config.id(), config.hall(), config.name(), config.terminal(), config.lockDevice(),
                    config.compartments());
        } catch (IllegalArgumentException e) {
            // SCR's own message would not say which cabinet: say it, then refuse.
            LOG.error("Cabinet configuration '{}' refused: {}", config.id(), e.getMessage());
            throw e;
        }
    }

    CabinetSpec spec() {
        return spec;
    }
}
