package org.budayang.core.identity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang login: unified identity account (OpenID Connect)",
        description = "Citizens log in at the province's identity provider with the authorization-code flow and PKCE")
@interface OidcConfig {
    @AttributeDefinition(required = false, description = "The provider's issuer URL, exactly as in its discovery "
            + "document (<issuer>/.well-known/openid-configuration). Empty: every login is refused (not_configured)")
    String issuer() default "";

    @AttributeDefinition(required = false, description = "The client ID the provider registered for this platform")
    String client_id() default "";

    @AttributeDefinition(required = false, type = AttributeType.PASSWORD,
            description = "The client secret (sent with HTTP Basic); empty for a public client that relies on PKCE")
    String client_secret() default "";

    @AttributeDefinition(required = false, description = "Where the provider sends the citizen's browser back: "
            + "this platform's /api/v1/oidc/callback as the citizen's phone reaches it, registered at the provider")
    String redirect_uri() default "";

    @AttributeDefinition(description = "Scopes asked for (openid is added if missing)")
    String scope() default "openid profile";

    @AttributeDefinition(description = "The ID token claim that holds the resident ID number")
    String id_claim() default "id_number";

    @AttributeDefinition(description = "The ID token claim that holds the citizen's name")
    String name_claim() default "name";

    @AttributeDefinition(description = "Seconds to wait for the provider (connect and each request)")
    int timeout_seconds() default 10;
}
