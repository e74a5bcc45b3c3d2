/**
 * Transactions on the platform's {@link javax.sql.DataSource}, one way for every core bundle: a
 * transaction that loses a lock (deadlock, lock time-out, Derby's identity contention) is run
 * again, and when that keeps happening the caller gets {@link StoreBusyException} (a "try again",
 * never a server error).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.budayang.core.store.tx;
