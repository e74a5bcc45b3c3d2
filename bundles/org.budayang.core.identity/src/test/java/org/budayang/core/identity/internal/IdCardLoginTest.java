package org.budayang.core.identity.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

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
}
