/**
 * Rules for text from outside the platform ({@link TextRule}): names, labels, notes and form
 * text, with lengths and the characters each refuses.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.budayang.api.text;
