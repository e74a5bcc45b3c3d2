package org.budayang.core.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang login: electronic social-security card",
        description = "Citizens log in by showing the QR code of their electronic social-security card")
@interface EsscConfig {
    @AttributeDefinition(description = "The card issuer's Ed25519 public keys (base64 of the X.509 encoding); "
            + "several, comma-separated, while keys are rotated. Without one, every login is refused")
    String[] publicKey() default {};

    @AttributeDefinition(description = "Seconds after being issued that a code is still accepted (at most 86400)")
    long max_age_seconds() default 300;

    @AttributeDefinition(description = "Seconds a login with {\"scanner\": true} waits for a code on the terminal's "
            + "scanner (a request may ask for another wait with \"timeoutSeconds\")")
    int scanner_timeout_seconds() default 20;
}
