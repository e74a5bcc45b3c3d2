package org.budayang.core.catalogue.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang department modules")
@interface ModulesConfig {
    @AttributeDefinition(description = "Accept only department jars signed by a certificate in <trust.dir>/<department>.pem "
            + "(false only in the demo hall: unsigned jars are then accepted with a warning)")
    boolean signature_required() default true;

    @AttributeDefinition(description = "Folder of the trusted certificates, one PEM file per department (empty: ${karaf.etc}/budayang/module-trust)")
    String trust_dir() default "";

    @AttributeDefinition(description = "Largest jar accepted, in bytes (uploads are refused past this before the rest is read)")
    long max_jar_bytes() default 32L << 20;

    @AttributeDefinition(description = "Most entries a jar may have")
    int max_entries() default 10_000;

    @AttributeDefinition(description = "Largest unzipped size of the whole jar, in bytes")
    long max_unzipped_bytes() default 128L << 20;

    @AttributeDefinition(description = "Largest unzipped size of the descriptor (and of the manifest and signature files), in bytes")
    int max_descriptor_bytes() default 1 << 20;

    @AttributeDefinition(description = "How many refused uploads GET /api/v1/modules keeps listing (the newest)")
    int refused_history() default 20;
}
