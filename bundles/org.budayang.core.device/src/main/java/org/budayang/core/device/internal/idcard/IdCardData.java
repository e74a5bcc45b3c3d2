package org.budayang.core.device.internal.idcard;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Objects;

import org.budayang.api.device.IdCard;

/**
 * The basic information of a resident ID card, as returned by read basic info ({@code 30 01}).
 *
 * <h2>Reply data layout (as implemented)</h2>
 * The data of the reply frame (after SW1 SW2 SW3, before the checksum):
 * <pre>
 *   offset  size  content
 *   0       2     text length, big-endian (must be 256)
 *   2       2     photo length, big-endian (normally 1024)
 *   4       256   text, UCS-2 little-endian, fixed-width fields padded with spaces:
 *                   name 30 | sex code 2 | ethnicity code 4 | birth date 16 (yyyyMMdd) |
 *                   address 70 | ID number 36 | issuing authority 30 | valid from 16 (yyyyMMdd) |
 *                   valid to 16 (yyyyMMdd or 长期) | reserved 36
 *   260     photo length   photo (opaque, kept as bytes)
 * </pre>
 * The data must be exactly {@code 4 + text length + photo length} bytes: less is reported as short,
 * more as trailing bytes. Trailing U+0020 are stripped from every text field.
 *
 * <p>{@link #toString()} masks the ID number (first 6, eight asterisks, last 4), and no exception
 * message of {@link #parse} contains it.
 *
 * @param validTo the end of validity, {@code null} for 长期 (no expiry)
 */
public record IdCardData(String name, Sex sex, Ethnicity ethnicity, LocalDate birthDate, String address,
        String idNumber, String authority, LocalDate validFrom, LocalDate validTo, byte[] photo) {

    /** Size of the text block. */
    public static final int TEXT_LENGTH = 256;
    /** Usual size of the photo. */
    public static final int PHOTO_LENGTH = 1024;
    /** The value of the valid-to field for a card without expiry (the API's one definition). */
    public static final String NO_EXPIRY = IdCard.LONG_TERM;

    private static final int NAME = 30, SEX = 2, ETHNICITY = 4, DATE = 16, ADDRESS = 70, ID = 36, AUTHORITY = 30;

    public IdCardData {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sex, "sex");
        Objects.requireNonNull(ethnicity, "ethnicity");
        Objects.requireNonNull(birthDate, "birthDate");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(idNumber, "idNumber");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(validFrom, "validFrom");
        photo = Objects.requireNonNull(photo, "photo").clone();
    }

    @Override
    public byte[] photo() {
        return photo.clone();
    }

    /** True if the card has no expiry (长期). */
    public boolean isLongTerm() {
        return validTo == null;
    }

    /**
     * Parses the data of a read-basic-info reply.
     *
     * @throws IdCardFormatException if the data is short, has trailing bytes, a text length other than
     *         256, or a field that does not parse (sex code, dates)
     */
    public static IdCardData parse(byte[] replyData) {
        Objects.requireNonNull(replyData, "replyData");
        if (replyData.length < 4) {
            throw new IdCardFormatException("basic info too short: " + replyData.length
                    + " bytes, the two length fields alone need 4");
        }
        int textLength = ((replyData[0] & 0xFF) << 8) | (replyData[1] & 0xFF);
        int photoLength = ((replyData[2] & 0xFF) << 8) | (replyData[3] & 0xFF);
        if (textLength != TEXT_LENGTH) {
            throw new IdCardFormatException("text length is " + textLength + ", expected " + TEXT_LENGTH);
        }
        int expected = 4 + textLength + photoLength;
        if (replyData.length < expected) {
            throw new IdCardFormatException("basic info too short: " + replyData.length + " bytes, expected "
                    + expected + " (4 + text " + textLength + " + photo " + photoLength + ")");
        }
        if (replyData.length > expected) {
            throw new IdCardFormatException("basic info has " + (replyData.length - expected)
                    + " trailing bytes: " + replyData.length + " bytes, expected " + expected);
        }
        Cursor c = new Cursor(replyData, 4);
        String name = c.text(NAME);
        String sexCode = c.text(SEX);
        String ethnicityCode = c.text(ETHNICITY);
        String birth = c.text(DATE);
        String address = c.text(ADDRESS);
        String idNumber = c.text(ID);
        String authority = c.text(AUTHORITY);
        String from = c.text(DATE);
        String to = c.text(DATE);
        byte[] photo = Arrays.copyOfRange(replyData, 4 + textLength, expected);

        if (idNumber.isEmpty()) {
            throw new IdCardFormatException("ID number field is empty");
        }
        LocalDate validTo = NO_EXPIRY.equals(to) ? null : date("valid to", to);
        return new IdCardData(name, Sex.ofCode(sexCode), Ethnicity.ofCode(ethnicityCode), date("birth date", birth),
                address, idNumber, authority, date("valid from", from), validTo, photo);
    }

    /** The card's date format is the API's ({@link IdCard#date}), so a terminal's decoded card is held to the same. */
    private static LocalDate date(String field, String value) {
        LocalDate d = IdCard.date(value);
        if (d == null) {
            throw new IdCardFormatException(field + " is not a yyyyMMdd date: '" + value + "'");
        }
        return d;
    }

    /** Reads consecutive UCS-2 LE fields, stripping trailing spaces. */
    private static final class Cursor {
        private final byte[] bytes;
        private int at;

        Cursor(byte[] bytes, int at) {
            this.bytes = bytes;
            this.at = at;
        }

        String text(int size) {
            String s = new String(bytes, at, size, StandardCharsets.UTF_16LE);
            at += size;
            int end = s.length();
            while (end > 0 && s.charAt(end - 1) == ' ') {
                end--;
            }
            return s.substring(0, end);
        }
    }

    /** The ID number masked: first 6, eight asterisks, last 4 (all asterisks if shorter than 10). */
    public String maskedIdNumber() {
        return mask(idNumber);
    }

    static String mask(String id) {
        if (id.length() < 10) {
            return "*".repeat(id.length());
        }
        return id.substring(0, 6) + "********" + id.substring(id.length() - 4);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdCardData d && name.equals(d.name) && sex == d.sex && ethnicity.equals(d.ethnicity)
                && birthDate.equals(d.birthDate) && address.equals(d.address) && idNumber.equals(d.idNumber)
                && authority.equals(d.authority) && validFrom.equals(d.validFrom)
                && Objects.equals(validTo, d.validTo) && Arrays.equals(photo, d.photo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, sex, ethnicity, birthDate, address, idNumber, authority, validFrom, validTo)
                * 31 + Arrays.hashCode(photo);
    }

    /** Never prints the ID number in full, nor the photo bytes. */
    @Override
    public String toString() {
        return "IdCardData[name=" + name + ", sex=" + sex.label() + ", ethnicity=" + ethnicity
                + ", birthDate=" + birthDate + ", address=" + address + ", idNumber=" + mask(idNumber)
                + ", authority=" + authority + ", validFrom=" + validFrom
                + ", validTo=" + (validTo == null ? NO_EXPIRY : validTo) + ", photo=" + photo.length + " bytes]";
    }
}
