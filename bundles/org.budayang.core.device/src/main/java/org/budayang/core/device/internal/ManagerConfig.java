package org.budayang.core.device.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang device runtime",
        description = "How devices (factory configurations org.budayang.device-<name>) are supervised")
@interface ManagerConfig {
    @AttributeDefinition(description = "Seconds between attempts to re-open and re-attach an offline device")
    int retry_seconds() default 5;

    @AttributeDefinition(description = "A device idle for this many seconds is probed, so a dead one is noticed "
            + "before a citizen waits for it")
    int probe_seconds() default 10;

    @AttributeDefinition(description = "Folder for jSerialComm's native library; empty: "
            + "${karaf.data}/budayang/jserialcomm")
    String native_dir() default "";
}
