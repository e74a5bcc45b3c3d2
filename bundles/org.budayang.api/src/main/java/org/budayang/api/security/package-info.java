/**
 * The platform's own logins: a throttled login says so with {@link LoginLockedException}, and a
 * production server's first hall admin is created once with {@link AdminSetup}; users and their
 * platform roles are managed with {@link UserAdmin}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.budayang.api.security;
