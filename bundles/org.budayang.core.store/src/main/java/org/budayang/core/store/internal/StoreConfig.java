package org.budayang.core.store.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Budayang store", description = "The database every core bundle shares")
@interface StoreConfig {
    @AttributeDefinition(description = "JDBC URL. Empty: embedded Derby under ${karaf.data}/budayang/db. "
            + "A jdbc:derby: URL runs embedded Derby; any other URL needs a DataSourceFactory service "
            + "(e.g. pax-jdbc-postgresql) selected by 'dataSourceFactory.target'.")
    String url() default "";

    String user() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String password() default "";
}
