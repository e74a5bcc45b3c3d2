package org.budayang.api.hall;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Menus, computed once per change and served from memory. */
@ProviderType
public interface MenuService {
    /** Empty for an unknown terminal. */
    Optional<Menu> menu(String terminal);
}
