package org.budayang.api.identity;

/**
 * A citizen as a login established them.
 *
 * @param id the resident ID number (masked whenever printed)
 * @param name the name as on the ID card or in the identity provider
 */
public record Person(ResidentId id, String name) {
}
