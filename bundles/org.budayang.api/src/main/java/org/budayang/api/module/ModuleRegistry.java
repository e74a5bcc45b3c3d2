package org.budayang.api.module;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Every department bundle seen by the extender: active ones and refused ones. */
@ProviderType
public interface ModuleRegistry {
    /** Active modules by department code, then refused ones by bundle name. */
    List<ModuleInfo> modules();

    Optional<ModuleInfo> module(String department);
}
