package org.budayang.api.device;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;

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
    /**
     * The valid-to field of a card without expiry, exactly as the card holds it and a GA 467
     * reader decodes it (UCS-2 text, padding stripped).
     *
     * @since 1.1
     */
    public static final String LONG_TERM = "长期";

    private static final DateTimeFormatter YYYYMMDD =
            DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);

    /**
     * A date as the card holds it: exactly eight ASCII digits {@code yyyyMMdd} that make a real
     * date. Anything else ({@code 2020-01-01}, {@code 2020011}, {@code 20200230}, padding) is
     * not a card date.
     *
     * @return the date, or null if {@code text} is not one
     * @since 1.1
     */
    public static LocalDate date(String text) {
        if (text == null || text.length() != 8 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        try {
            return LocalDate.parse(text, YYYYMMDD);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Masked: the address and ID number are personal data. */
    @Override
    public String toString() {
        return "IdCard[" + id.masked() + "]";
    }
}
