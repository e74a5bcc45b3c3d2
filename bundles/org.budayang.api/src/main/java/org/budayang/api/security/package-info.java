/**
 * The platform's own logins: a throttled login says so with {@link LoginLockedException}, and a
 * production server's first hall admin is created once with {@link AdminSetup}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.budayang.api.security;
