package org.budayang.core.security.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang login throttle")
@interface SecurityConfig {
    @AttributeDefinition(description = "Wrong passwords for one user from one address before that pair is locked")
    int pair_attempts() default 5;

    @AttributeDefinition(description = "Wrong passwords from one address (any user) before the address is locked")
    int address_attempts() default 20;

    @AttributeDefinition(description = "Wrong passwords for one user (from anywhere) before the user is locked")
    int user_attempts() default 50;

    @AttributeDefinition(description = "Seconds over which wrong passwords are counted")
    long window_seconds() default 900;

    @AttributeDefinition(description = "Seconds of the first lock; each further lock of the same counter doubles it")
    long lock_seconds() default 30;

    @AttributeDefinition(description = "Longest lock, in seconds")
    long lock_max_seconds() default 900;

    @AttributeDefinition(description = "Most counters kept in memory (the oldest are forgotten first)")
    int max_tracked() default 10_000;

    @AttributeDefinition(description = "The JAAS realm guarded (Karaf's realm of the console, SSH, JMX and the API)")
    String realm() default "karaf";
}
