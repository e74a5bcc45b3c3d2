package org.budayang.core.cases.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang back-office connector", description = "One per department: etc/org.budayang.backoffice-<dept>.cfg")
@interface BackOfficeConfig {
    @AttributeDefinition(description = "Department code this back office serves")
    String department();

    @AttributeDefinition(description = "Base URL. 'local:/path' means this node's own HTTP server (the sandbox back office).")
    String url();

    String user() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String password() default "";

    @AttributeDefinition(description = "Milliseconds to wait for an answer before the back office counts as unavailable")
    int timeout_ms() default 3000;
}
