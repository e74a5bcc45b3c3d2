package org.budayang.core.docs.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang sealed documents", description = "etc/org.budayang.docs.cfg")
@interface DocsConfig {
    @AttributeDefinition(description = "TrueType font (.ttf or .ttc) with Chinese glyphs. Empty: the first one found of "
            + "WenQuanYi Micro Hei / Zen Hei, AR PL UMing, Droid Sans Fallback under /usr/share/fonts")
    String font_path() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Ed25519 private key that signs documents, base64 of "
            + "PKCS#8. Empty: one is generated into ${karaf.data}/budayang/keys/documents-ed25519.key on first start.")
    String signing_key() default "";

    @AttributeDefinition(description = "More Ed25519 public keys (base64 of X.509) whose documents still verify, "
            + "e.g. the keys used before a rotation. The signing key's own public key always verifies.")
    String[] verify_keys() default {};

    @AttributeDefinition(description = "Public address of this node, from etc/org.budayang.node.cfg: the QR code carries "
            + "<public.base.url>/verify/<code>")
    String public_base_url() default "http://localhost:8181";
}
