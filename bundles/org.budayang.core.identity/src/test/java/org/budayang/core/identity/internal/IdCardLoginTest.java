package org.budayang.core.identity.internal;

import static org.junit.Assert.assertEquals;
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
        Map<String, Object> card = new HashMap<>();
        card.put("name", "张三");
        card.put("idNumber", number);
        card.put("validFrom", from);
        card.put("validTo", to);
        return Map.of("card", card);
    }

    private String rejected(Map<String, Object> credentials) {
        try {
            login.authenticate(KIOSK, credentials);
        } catch (LoginRejected e) {
            return e.code();
        }
        fail("accepted");
        return null;
    }

    @Test
    public void validCardLogsIn() throws Exception {
        Person p = login.authenticate(KIOSK, card("440305198808081234", "20161122", "20361122"));
        assertEquals("张三", p.name());
        assertEquals("440305198808081234", p.id().value());
        // Long-term cards (长期) and ISO dates.
        assertEquals("张三", login.authenticate(KIOSK, card("11010519491231002X", "2010-01-01", "长期")).name());
        // Valid through the last day.
        assertEquals("张三", login.authenticate(KIOSK, card("440305198808081234", "20061122", "20261122")).name());
    }

    @Test
    public void refusals() {
        assertEquals("card_expired", rejected(card("440305198808081234", "20061121", "20261121")));
        assertEquals("card_not_yet_valid", rejected(card("440305198808081234", "20261123", "20461123")));
        assertEquals("invalid_id_number", rejected(card("440305198808081235", "20161122", "20361122")));
        assertEquals("invalid_card", rejected(card("440305198808081234", "2016-13-01", "20361122")));
        assertEquals("invalid_card", rejected(Map.of("card", Map.of("idNumber", "440305198808081234"))));
        assertEquals("invalid_card", rejected(Map.of("name", "张三")));
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
}
