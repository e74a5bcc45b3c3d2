package org.budayang.core.notify.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang notifications", description = "The SMS outbox sender (etc/org.budayang.notify.cfg)")
@interface NotifyConfig {
    @AttributeDefinition(description = "The SMS gateway to send through: log (demo: writes the masked number and "
            + "topic to the log, the text is in the outbox viewer) or smpp (configure org.budayang.notify.smpp)")
    String gateway() default "log";

    @AttributeDefinition(description = "Attempts per message before it is marked FAILED")
    int maxAttempts() default 20;

    @AttributeDefinition(description = "Wait after the first failed attempt, in milliseconds; doubles after each further one")
    long backoff_base_ms() default 1000;

    @AttributeDefinition(description = "Longest wait between two attempts of one message, in milliseconds")
    long backoff_max_ms() default 300_000;

    @AttributeDefinition(description = "How often the sender looks for due messages, in milliseconds (how soon an SMS "
            + "leaves after its transaction committed)")
    long poll_interval_ms() default 250;

    @AttributeDefinition(description = "How long one send attempt owns a message, in seconds; must exceed the gateway's "
            + "longest send. A node killed mid-send sends the message again as soon as it is back; another node on the "
            + "same database waits this long")
    int lease_seconds() default 60;
}
