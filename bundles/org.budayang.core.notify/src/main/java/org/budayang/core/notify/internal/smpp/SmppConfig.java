package org.budayang.core.notify.internal.smpp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang SMPP gateway", description = "The operator's SMSC over SMPP 3.4 "
        + "(etc/org.budayang.notify.smpp.cfg); used when org.budayang.notify has gateway=smpp")
@interface SmppConfig {
    @AttributeDefinition(description = "SMSC host name or address")
    String host();

    @AttributeDefinition(description = "SMSC port")
    int port() default 2775;

    @AttributeDefinition(description = "ESME system_id given by the operator")
    String systemId();

    /** Key {@code .password}: the leading dot keeps it out of the gateway's service properties. */
    @AttributeDefinition(type = AttributeType.PASSWORD, description = "ESME password (key .password: a private "
            + "property, so it does not show among the gateway service's properties)")
    String _password() default "";

    @AttributeDefinition(description = "system_type, if the operator asks for one")
    String systemType() default "";

    @AttributeDefinition(description = "source_addr: the number or service code the messages come from")
    String sourceAddr() default "";

    @AttributeDefinition(description = "How long to wait for the TCP connection and the bind response, in milliseconds")
    long bind_timeout_ms() default 10_000;

    @AttributeDefinition(description = "How long to wait for a submit_sm_resp, in milliseconds; after that the "
            + "outcome is unknown and the message is tried again")
    long response_timeout_ms() default 10_000;

    @AttributeDefinition(description = "Idle time after which an enquire_link checks the session, in milliseconds")
    int enquire_link_ms() default 30_000;
}
