package org.budayang.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang web API")
@interface WebConfig {
    @AttributeDefinition(description = "Karaf JAAS realm that admin, vendor and staff logins are checked against")
    String realm() default "karaf";

    @AttributeDefinition(description = "Public address of this node, from etc/org.budayang.node.cfg: the case "
            + "receipt's QR code is <public.base.url>/status/<token>, the case's public status page")
    String public_base_url() default "http://localhost:8181";
}
