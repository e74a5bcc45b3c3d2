package org.budayang.core.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang login: ID card")
@interface IdCardConfig {
    @AttributeDefinition(description = "Seconds a login with {\"reader\": true} waits for a card on the terminal's reader "
            + "(a request may ask for another wait with \"timeoutSeconds\")")
    int reader_timeout_seconds() default 20;
}
