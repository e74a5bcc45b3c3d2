package org.budayang.api.module;

import java.io.InputStream;
import java.util.function.Predicate;

import org.osgi.annotation.versioning.ProviderType;

/** Installs, upgrades and removes department bundles at run time without touching the rest. */
@ProviderType
public interface ModuleAdmin {
    /**
     * Installs a department bundle, or upgrades the one with the same symbolic name, and
     * returns once its descriptor was loaded or refused. An upgrade whose descriptor is
     * invalid is refused before anything is replaced: the running version keeps serving.
     *
     * @throws ModuleException if the jar is not a department bundle or cannot be installed
     */
    default ModuleInfo install(InputStream jar) throws ModuleException {
        return install(jar, department -> true);
    }

    /**
     * Installs or upgrades a department bundle as {@link #install(InputStream)} does, for a
     * caller who may deploy only the departments {@code mayDeploy} accepts. The jar is read
     * (within the size limits) and checked before anything is installed; a department the
     * caller may not deploy is {@link ModuleException.Kind#FORBIDDEN}.
     *
     * @since 1.1
     */
    ModuleInfo install(InputStream jar, Predicate<String> mayDeploy) throws ModuleException;

    /**
     * The largest jar {@link #install} takes, in bytes: a caller that knows the size of what it
     * is sent (an HTTP Content-Length) refuses a larger one before reading any of it.
     *
     * @since 1.1
     */
    long maxJarBytes();

    /**
     * Removes the bundle of a department (and the Karaf feature that installed it, if any).
     *
     * @return false if no such department is installed
     */
    boolean remove(String department) throws ModuleException;
}
