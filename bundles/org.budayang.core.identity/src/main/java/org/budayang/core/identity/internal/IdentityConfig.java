package org.budayang.core.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang citizen sessions")
@interface IdentityConfig {
    @AttributeDefinition(description = "Seconds without a call after which a citizen session ends")
    int idle_timeout_seconds() default 120;
}
