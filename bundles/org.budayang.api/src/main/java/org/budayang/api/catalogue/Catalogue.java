package org.budayang.api.catalogue;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The items of every active department module, as the module extender loaded them. */
@ProviderType
public interface Catalogue {
    /** Active departments in a stable order (by code). */
    List<Department> departments();

    /** Items of one department in the order its descriptor lists them; empty if unknown. */
    List<Item> items(String department);

    Optional<Item> item(String code);
}
