/**
 * Text messages to citizens and staff: an {@link Outbox} written in the same transaction as the
 * change that causes a message, and {@link SmsGateway}s that deliver them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.budayang.api.notify;
