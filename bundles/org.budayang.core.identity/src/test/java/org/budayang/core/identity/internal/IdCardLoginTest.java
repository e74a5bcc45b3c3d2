package org.budayang.core.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import java.util.List;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.IdCard;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.junit.Test;

public class IdCardLoginTest {
    private static final Terminal KIOSK = new Terminal("demo-01", "demo", "kiosk", Set.of("idcard"));
    /** 2026-11-22 in China. */
    private final IdCardLogin login = new IdCardLogin(Clock.fixed(
            LocalDate.of(2026, 11, 22).atStartOfDay(IdCardLogin.CHINA).plusHours(20).toInstant(), IdCardLogin.CHINA));

    private static Map<String, Object> card(String number, String from, String to) {
        return card("张三", number, from, to);
    }

    private static Map<String, Object> card(String name, String number, String from, String to) {
        Map<String, Object> card = new HashMap<>();
        card.put("name", name);
        card.put("idNumber", number);
        card.put("validFrom", from);
        card.put("validTo", to);
        return Map.of("card", card);
    }

    private static final String ZHANG = "440305198808081234";

    private LoginRejected rejection(Map<String, Object> credentials) {
        try {
            login.authenticate(KIOSK, credentials);
        } catch (LoginRejected e) {
            assertFalse("never the ID number: " + e.getMessage(), e.getMessage().contains(ZHANG.substring(6, 14)));
            return e;
        }
        fail("accepted");
        return null;
    }

    private String rejected(Map<String, Object> credentials) {
        return rejection(credentials).code();
    }

    @Test
    public void validCardLogsIn() throws Exception {
        Person p = login.authenticate(KIOSK, card(ZHANG, "20161122", "20361122"));
        assertEquals("张三", p.name());
        assertEquals(ZHANG, p.id().value());
        // Long-term cards: the valid-to field holds 长期, exactly as the GA 467 reader decodes it.
        assertEquals("张三", login.authenticate(KIOSK, card("11010519491231002X", "20100101", "长期")).name());
        // Valid through the last day.
        assertEquals("张三", login.authenticate(KIOSK, card(ZHANG, "20061122", "20261122")).name());
    }

    @Test
    public void realNamesLogIn() throws Exception {
        for (String name : List.of("张三", "欧阳娜娜", "买买提·艾力", "阿依古丽·买买提", "迪丽热巴·迪力木拉提", "𠮷野家",
                "JOHN SMITH", "Mary O'Brien-Smith", "José Müller")) {
            assertEquals(name, login.authenticate(KIOSK, card(name, ZHANG, "20161122", "20361122")).name());
        }
        // The reader software's padding is not part of the name.
        assertEquals("张三", login.authenticate(KIOSK, card(" 张三  ", ZHANG, "20161122", "20361122")).name());
    }

    @Test
    public void refusals() {
        assertEquals("card_expired", rejected(card(ZHANG, "20061121", "20261121")));
        assertEquals("card_not_yet_valid", rejected(card(ZHANG, "20261123", "20461123")));
        assertEquals("invalid_id_number", rejected(card("440305198808081235", "20161122", "20361122")));
        assertEquals("invalid_id_number", rejected(card(" " + ZHANG, "20161122", "20361122")));
        assertEquals("invalid_card", rejected(card(ZHANG, "2016-13-01", "20361122")));
        assertEquals("invalid_card", rejected(Map.of("card", Map.of("idNumber", ZHANG))));
        assertEquals("invalid_card", rejected(Map.of("name", "张三")));
    }

    @Test
    public void hostileNamesAreRefusedNamingTheFieldAndTheRule() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("张".repeat(60_000), "has 60000 characters, more than the 50 allowed");
        cases.put("张".repeat(51), "has 51 characters");
        cases.put("张\u0000三", "control character U+0000 at character 2");
        cases.put("张三\u0007", "control character U+0007");
        cases.put("张三\u0085", "control character U+0085");
        cases.put("张\n三", "line break");
        cases.put("<script>alert(1)</script>", "contains '<' at character 1");
        cases.put("张三>", "contains '>'");
        cases.put("\u200f张三", "bidirectional formatting character U+200F");
        cases.put("张\u202e三", "bidirectional formatting character U+202E");
        cases.put("张三\u2066", "bidirectional formatting character U+2066");
        cases.put("\u061c张三", "bidirectional formatting character U+061C");
        cases.put("张\u200b三", "invisible formatting character U+200B");
        cases.put("张\ud800三", "unpaired surrogate");
        cases.put("\udc00", "unpaired surrogate");
        cases.put("  ", "is empty");
        cases.put("123", "contains no letter");
        cases.forEach((name, why) -> {
            LoginRejected e = rejection(card(name, ZHANG, "20161122", "20361122"));
            String shown = name.length() > 20 ? name.substring(0, 20) + "…" : name;
            assertEquals(shown, "invalid_card", e.code());
            assertTrue(shown + ": " + e.getMessage(), e.getMessage().startsWith("field 'card.name' "));
            assertTrue(shown + ": " + e.getMessage(), e.getMessage().contains(why));
            assertTrue("names the rule: " + e.getMessage(), e.getMessage().contains("a name is 1 to 50 characters"));
            assertTrue("never repeats the text: " + e.getMessage().length(), e.getMessage().length() < 400);
        });
        // Not text at all.
        assertEquals("invalid_card", rejected(Map.of("card", Map.of("name", 5, "idNumber", ZHANG, "validFrom", "20161122",
                "validTo", "20361122"))));
    }

    @Test
    public void cardDatesAreExactlyAsTheCardHoldsThem() {
        for (String date : List.of("2016-11-22", "2016/11/22", "2016.11.22", "2016112", "201611221", "20161322", "20160230",
                "20161100", "00000000", " 20161122", "20161122 ", "２０１６１１２２", "20l61122", "长期")) {
            LoginRejected e = rejection(card(ZHANG, date, "20361122"));
            assertEquals(date, "invalid_card", e.code());
            assertTrue(e.getMessage(), e.getMessage().startsWith("field 'card.validFrom' must be a date as the card holds it"));
            assertFalse("does not repeat the value: " + e.getMessage(), !date.isBlank() && e.getMessage().contains("'" + date + "'"));
        }
        for (String date : List.of("2036-11-22", "长期 ", " 长期", "长 期", "永久", "long-term", "99991231x")) {
            LoginRejected e = rejection(card(ZHANG, "20161122", date));
            assertEquals(date, "invalid_card", e.code());
            assertTrue(e.getMessage(), e.getMessage().contains("field 'card.validTo'") && e.getMessage().contains("or 长期"));
        }
        assertEquals("invalid_card", rejected(card(ZHANG, "", "20361122")));
        // A leap day is a date.
        assertEquals("card_not_yet_valid", rejected(card(ZHANG, "20280229", "20480229")));
        // The rule itself, as the reader's decoder uses it too.
        assertEquals(LocalDate.of(2020, 1, 1), IdCard.date("20200101"));
        assertNull(IdCard.date("2020-01-01"));
        assertNull(IdCard.date("20210229"));
        assertNull(IdCard.date(null));
        assertEquals("长期", IdCard.LONG_TERM);
    }

    @Test
    public void theCardCarriesItsFourFieldsOnly() {
        Map<String, Object> c = new HashMap<>(card(ZHANG, "20161122", "20361122"));
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = new HashMap<>((Map<String, Object>) c.get("card"));
        fields.put("sex", "男");
        LoginRejected e = rejection(Map.of("card", fields));
        assertEquals("invalid_card", e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown field 'card.sex' (allowed: name, idNumber, validFrom, validTo)"));
        fields.remove("sex");
        fields.put("x".repeat(1000), 1);
        e = rejection(Map.of("card", fields));
        assertTrue("a hostile field name is not repeated: " + e.getMessage(), e.getMessage().length() < 200);
    }

    // ---- the terminal's own reader ({"reader": true}) ----------------------------------------------

    private static final Clock TODAY = Clock.fixed(
            LocalDate.of(2026, 11, 22).atStartOfDay(IdCardLogin.CHINA).plusHours(20).toInstant(), IdCardLogin.CHINA);

    /** A reader at demo-01 that hands over this card (or nothing, or fails), recording how long it was asked to wait. */
    static final class FakeReader implements IdCardReader {
        final Object outcome;
        java.time.Duration askedToWait;

        FakeReader(Object outcome) {
            this.outcome = outcome;
        }

        @Override
        public java.util.Optional<IdCard> read(java.time.Duration timeout) throws DeviceException {
            askedToWait = timeout;
            if (outcome instanceof DeviceException e) {
                throw e;
            }
            return java.util.Optional.ofNullable((IdCard) outcome);
        }
    }

    static IdCard idCard(LocalDate from, LocalDate to) {
        return new IdCard("张三", "男", "汉", LocalDate.of(1988, 8, 8), "广东省深圳市南山区科技园路1号",
                new org.budayang.api.identity.ResidentId("440305198808081234"), "深圳市公安局南山分局", from, to);
    }

    private static String rejectedBy(IdCardLogin l, Map<String, Object> credentials) {
        try {
            l.authenticate(KIOSK, credentials);
        } catch (LoginRejected e) {
            return e.code();
        }
        fail("accepted");
        return null;
    }

    static IdCardLogin withReader(FakeReader reader) {
        TerminalDevices devices = new TerminalDevices();
        if (reader != null) {
            devices.addReader(reader, Map.of("budayang.terminal", "demo-01"));
        }
        return new IdCardLogin(TODAY, devices, java.time.Duration.ofSeconds(20));
    }

    @Test
    public void theTerminalsReaderReadsTheCardAndTheSameRulesApply() throws Exception {
        FakeReader reader = new FakeReader(idCard(LocalDate.of(2016, 11, 22), null));
        Person p = withReader(reader).authenticate(KIOSK, Map.of("reader", true));
        assertEquals("张三", p.name());
        assertEquals("440305198808081234", p.id().value());
        assertEquals(java.time.Duration.ofSeconds(20), reader.askedToWait);
        withReader(reader).authenticate(KIOSK, Map.of("reader", true, "timeoutSeconds", 5));
        assertEquals(java.time.Duration.ofSeconds(5), reader.askedToWait);
        assertEquals("card_expired", rejectedBy(withReader(new FakeReader(idCard(LocalDate.of(2006, 1, 1),
                LocalDate.of(2026, 11, 21)))), Map.of("reader", true)));
    }

    @Test
    public void aNameReadFromTheCardFollowsTheSameRule() {
        IdCard garbled = new IdCard("张\u0000三", "男", "汉", LocalDate.of(1988, 8, 8), "广东省深圳市", new org.budayang.api.identity.ResidentId(
                ZHANG), "深圳市公安局", LocalDate.of(2016, 11, 22), null);
        assertEquals("invalid_card", rejectedBy(withReader(new FakeReader(garbled)), Map.of("reader", true)));
    }

    @Test
    public void readerRefusals() {
        assertEquals("no_card", rejectedBy(withReader(new FakeReader(null)), Map.of("reader", true)));
        assertEquals("device_unavailable", rejectedBy(withReader(null), Map.of("reader", true)));
        // A reader of another terminal is not this terminal's.
        TerminalDevices elsewhere = new TerminalDevices();
        elsewhere.addReader(new FakeReader(idCard(LocalDate.of(2016, 1, 1), null)), Map.of("budayang.terminal", "demo-02"));
        assertEquals("device_unavailable", rejectedBy(new IdCardLogin(TODAY, elsewhere, java.time.Duration.ofSeconds(1)),
                Map.of("reader", true)));
        assertEquals("device_unavailable", rejectedBy(withReader(new FakeReader(
                new DeviceException(DeviceException.Reason.TIMEOUT, "find card: no complete reply within 1000 ms"))),
                Map.of("reader", true)));
        assertEquals("invalid_card", rejectedBy(withReader(new FakeReader(
                new DeviceException(DeviceException.Reason.REFUSED, "the card's ID number is not valid"))),
                Map.of("reader", true)));
        for (Object t : List.of(0, 121, 2.5, "10")) {
            assertEquals(String.valueOf(t), "invalid_request", rejectedBy(withReader(new FakeReader(null)),
                    Map.of("reader", true, "timeoutSeconds", t)));
        }
    }

    @Test
    public void aRefusedReaderLoginIsLoggedWithTheReadersWordsAndTheCitizenGetsASentence() throws Exception {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        // slf4j-simple writes to whatever System.err is at the time.
        System.setErr(new java.io.PrintStream(log, true, "UTF-8"));
        LoginRejected broken;
        try {
            broken = rejection(withReader(new FakeReader(new DeviceException(DeviceException.Reason.BAD_REPLY,
                    "read basic info: BadChecksum[expected=41, received=40, length=1288]"))));
            rejection(withReader(new FakeReader(idCard(LocalDate.of(2006, 1, 1), LocalDate.of(2026, 11, 21)))));
        } finally {
            System.setErr(err);
        }
        assertEquals("device_unavailable", broken.code());
        assertFalse(broken.getMessage(), broken.getMessage().contains("BadChecksum") || broken.getMessage().contains("BAD_REPLY"));
        String out = log.toString("UTF-8");
        assertTrue(out, out.contains("ID-card login at terminal demo-01 refused (device_unavailable): the reader said "
                + "BAD_REPLY: read basic info: BadChecksum[expected=41, received=40, length=1288]"));
        assertTrue(out, out.contains("ID-card login at terminal demo-01 refused (card_expired): card 440305********1234"));
        assertFalse("never the whole number: " + out, out.contains("440305198808081234"));
    }

    private static LoginRejected rejection(IdCardLogin l) {
        try {
            l.authenticate(KIOSK, Map.of("reader", true));
        } catch (LoginRejected e) {
            return e;
        }
        throw new AssertionError("accepted");
    }
}
