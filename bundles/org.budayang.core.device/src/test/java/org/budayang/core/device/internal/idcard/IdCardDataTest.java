package org.budayang.core.device.internal.idcard;

import org.budayang.core.device.internal.Hex;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.LocalDate;
import java.util.Arrays;

import org.junit.Test;

public class IdCardDataTest {

    private static final String ID = "440305198808081234";

    @Test
    public void parsesHandWrittenBasicInfo() {
        IdCardData card = IdCardData.parse(BasicInfoFixture.data(BasicInfoFixture.VALID_TO));
        assertEquals("张三", card.name());
        assertEquals(Sex.MALE, card.sex());
        assertEquals("男", card.sex().label());
        assertEquals(new Ethnicity("01", "汉"), card.ethnicity());
        assertEquals(LocalDate.of(1988, 8, 8), card.birthDate());
        assertEquals("广东省深圳市南山区科技园路1号", card.address());
        assertEquals(ID, card.idNumber());
        assertEquals("深圳市公安局南山分局", card.authority());
        assertEquals(LocalDate.of(2015, 1, 1), card.validFrom());
        assertEquals(LocalDate.of(2035, 1, 1), card.validTo());
        assertFalse(card.isLongTerm());
        assertArrayEquals(BasicInfoFixture.photo(), card.photo());
    }

    @Test
    public void longTermValidity() {
        IdCardData card = IdCardData.parse(BasicInfoFixture.data(BasicInfoFixture.VALID_TO_LONG_TERM));
        assertNull(card.validTo());
        assertTrue(card.isLongTerm());
        assertTrue(card.toString().contains("validTo=长期"));
    }

    @Test
    public void toStringMasksIdNumber() {
        IdCardData card = IdCardData.parse(BasicInfoFixture.data(BasicInfoFixture.VALID_TO));
        String s = card.toString();
        assertTrue(s, s.contains("idNumber=440305********1234"));
        assertFalse(s, s.contains(ID));
        assertFalse(s, s.contains("19880808"));
        assertEquals("440305********1234", card.maskedIdNumber());
        assertTrue(s, s.contains("photo=1024 bytes"));
    }

    @Test
    public void maskOfShortIds() {
        assertEquals("*****", IdCardData.mask("12345"));
        assertEquals("123456********7890", IdCardData.mask("1234567890"));
    }

    @Test
    public void unknownEthnicityCodeIsPassedThrough() {
        assertEquals(new Ethnicity("97", null), Ethnicity.ofCode("97"));
        assertEquals("97", Ethnicity.ofCode("97").toString());
        assertEquals("基诺", Ethnicity.ofCode("56").name());
        assertEquals("汉(01)", Ethnicity.ofCode("01").toString());
    }

    @Test
    public void tooShortForLengths() {
        expectFormatError(Hex.bytes("01 00 04"), "too short: 3 bytes");
    }

    @Test
    public void shortText() {
        byte[] full = BasicInfoFixture.data(BasicInfoFixture.VALID_TO);
        expectFormatError(Arrays.copyOf(full, 200), "too short: 200 bytes, expected 1284");
    }

    @Test
    public void shortPhoto() {
        byte[] full = BasicInfoFixture.data(BasicInfoFixture.VALID_TO);
        expectFormatError(Arrays.copyOf(full, full.length - 1), "too short: 1283 bytes, expected 1284");
    }

    @Test
    public void trailingBytes() {
        byte[] full = BasicInfoFixture.data(BasicInfoFixture.VALID_TO);
        expectFormatError(Arrays.copyOf(full, full.length + 2), "2 trailing bytes");
    }

    @Test
    public void wrongTextLength() {
        byte[] full = BasicInfoFixture.data(BasicInfoFixture.VALID_TO);
        full[1] = 0x01; // text length 01 01 = 257
        expectFormatError(full, "text length is 257, expected 256");
    }

    @Test
    public void badBirthDate() {
        byte[] full = BasicInfoFixture.data(BasicInfoFixture.VALID_TO);
        // birth date starts at 4 + 30 + 2 + 4 = 40; month digit "0" at 40 + 8 becomes "2": 19882808
        full[48] = 0x32;
        expectFormatError(full, "birth date is not a yyyyMMdd date: '19882808'");
    }

    @Test
    public void badSexCode() {
        byte[] full = BasicInfoFixture.data(BasicInfoFixture.VALID_TO);
        full[34] = 0x35; // sex at 4 + 30: "5"
        expectFormatError(full, "unknown sex code '5'");
    }

    @Test
    public void photoIsDefensivelyCopied() {
        IdCardData card = IdCardData.parse(BasicInfoFixture.data(BasicInfoFixture.VALID_TO));
        card.photo()[0] = 99;
        assertEquals(0, card.photo()[0]);
        assertEquals(card, IdCardData.parse(BasicInfoFixture.data(BasicInfoFixture.VALID_TO)));
    }

    private static void expectFormatError(byte[] data, String fragment) {
        try {
            IdCardData.parse(data);
            fail("expected IdCardFormatException containing " + fragment);
        } catch (IdCardFormatException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
            assertFalse(e.getMessage(), e.getMessage().contains(ID));
        }
    }
}
