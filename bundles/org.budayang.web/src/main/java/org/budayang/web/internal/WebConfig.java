package org.budayang.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang web API")
@interface WebConfig {
    @AttributeDefinition(description = "Karaf JAAS realm that admin, vendor and staff logins are checked against")
    String realm() default "karaf";

    @AttributeDefinition(description = "Seconds a successful login is remembered before the realm is asked again")
    long login_remember_seconds() default 30;

    @AttributeDefinition(description = "Public address of this node, for links printed on receipts "
            + "(the case receipt's QR code is <public.base.url>/api/v1/cases/<number>)")
    String public_base_url() default "http://localhost:8181";
}
