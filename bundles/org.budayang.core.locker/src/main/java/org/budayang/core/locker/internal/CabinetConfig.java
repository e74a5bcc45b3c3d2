package org.budayang.core.locker.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang cabinet", description = "One smart file cabinet (factory PID org.budayang.cabinet)")
@interface CabinetConfig {
    @AttributeDefinition(description = "Cabinet id, e.g. demo-c1 (lower-case letters, digits, '-')")
    String id();

    @AttributeDefinition(description = "Hall the cabinet stands in")
    String hall();

    @AttributeDefinition(description = "Name shown to citizens and in SMS")
    String name() default "";

    @AttributeDefinition(description = "The cabinet's own terminal: its ID-card reader and receipt printer serve the cabinet")
    String terminal();

    @AttributeDefinition(description = "Device id of the cabinet's 8A lock bus (its LockBoard carries budayang.device=<id>)")
    String lockDevice();

    @AttributeDefinition(description = "Compartments as board/locks:size, e.g. 1/1-8:S, 1/9-12:M, 1/13-16:L")
    String compartments();
}
