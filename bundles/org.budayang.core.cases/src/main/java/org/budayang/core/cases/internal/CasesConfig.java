package org.budayang.core.cases.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang cases")
@interface CasesConfig {
    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Base64 master key (32 bytes) for resident ID "
            + "numbers at rest. Empty: one is generated into ${karaf.data}/budayang/keys/data.key on first start.")
    String data_key() default "";

    @AttributeDefinition(description = "Seconds between passes that forward kept cases to back offices that were down")
    int forward_interval_seconds() default 2;

    @AttributeDefinition(description = "Longest wait between two forwarding attempts of one case, in seconds")
    int forward_max_backoff_seconds() default 30;
}
