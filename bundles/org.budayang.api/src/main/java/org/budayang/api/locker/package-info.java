/**
 * Smart file lockers (智能文件柜): cabinets of compartments in a hall, parcels of paper handed in
 * by citizens and results handed back by staff, one-time pickup codes sent by SMS, and the audit
 * log of every door. {@link LockerService} is the entry point.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.budayang.api.locker;
