package org.budayang.core.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang login: show the app's code",
        description = "Citizens log in by showing the app's dynamic code to the terminal's scanner")
@interface ShowCodeConfig {
    @AttributeDefinition(description = "The app's Ed25519 public keys (base64 of the X.509 encoding); "
            + "several, comma-separated, while keys are rotated. Without one, every login is refused")
    String[] publicKey() default {};

    @AttributeDefinition(description = "Seconds after being issued that a code is still accepted (at most 86400)")
    long max_age_seconds() default 60;

    @AttributeDefinition(description = "Seconds a login with {\"scanner\": true} waits for a code on the terminal's "
            + "scanner (a request may ask for another wait with \"timeoutSeconds\")")
    int scanner_timeout_seconds() default 20;
}
