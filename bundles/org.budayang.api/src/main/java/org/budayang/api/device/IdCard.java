package org.budayang.api.device;

import java.time.LocalDate;

import org.budayang.api.identity.ResidentId;

/**
 * The text block of a second-generation resident ID card as the reader decoded it.
 *
 * @param sex {@code 男}, {@code 女} or {@code 未知}
 * @param ethnicity the ethnic group's name, e.g. {@code 汉}
 * @param validTo null for a card without expiry (长期)
 */
public record IdCard(String name, String sex, String ethnicity, LocalDate birthDate, String address,
        ResidentId id, String authority, LocalDate validFrom, LocalDate validTo) {
    /** Masked: the address and ID number are personal data. */
    @Override
    public String toString() {
        return "IdCard[" + id.masked() + "]";
    }
}
