/**
 * Sealed, verifiable documents: query results and certificates issued as PDF with the hall's
 * seal, an issue time and a verification QR code, signed so that anyone can check them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.budayang.api.docs;
