package org.budayang.core.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang login: scan the app's code",
        description = "The terminal shows a one-time ticket as a QR code; the province app's back end confirms it")
@interface ScanConfig {
    @AttributeDefinition(description = "Seconds a ticket stays valid after it is issued (at most 600)")
    long ticket_ttl_seconds() default 60;

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Key shared with the app's back end for the "
            + "HMAC-SHA256 signature of confirmations, base64, at least 16 bytes. Without one, every confirmation is refused")
    String hmac_secret() default "";

    @AttributeDefinition(description = "Seconds a confirmation's timestamp may differ from the hall's clock (at most 3600)")
    long max_skew_seconds() default 300;
}
