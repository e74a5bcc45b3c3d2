package org.budayang.api.catalogue;

/**
 * A document the applicant must provide.
 *
 * @param paper true when the original must be handed in on paper (through a locker)
 */
public record Material(String code, LocalizedText name, boolean paper) {
}
