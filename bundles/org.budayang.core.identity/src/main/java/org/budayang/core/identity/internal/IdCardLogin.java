package org.budayang.core.identity.internal;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Login with the second-generation ID card. Until the device layer reads the card itself, the
 * terminal passes the fields its reader decoded: {@code {"card": {"name", "idNumber",
 * "validFrom", "validTo"}}}, dates as {@code yyyyMMdd} (as the card stores them) or
 * {@code yyyy-MM-dd}, {@code validTo} may be {@code 长期} (no expiry).
 */
@Component(property = LoginMethod.PROPERTY + "=idcard")
public final class IdCardLogin implements LoginMethod {
    /** Cards are issued and expire by the calendar in China. */
    static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter BASIC = DateTimeFormatter.BASIC_ISO_DATE;
    private final Clock clock;

    @Activate
    public IdCardLogin() {
        this(Clock.system(CHINA));
    }

    IdCardLogin(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "idcard";
    }

    @Override
    public Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        if (!(credentials.get("card") instanceof Map<?, ?> card)) {
            throw new LoginRejected("invalid_card", "the request needs the card's fields in \"card\"");
        }
        String name = text(card, "name");
        String number = text(card, "idNumber");
        String problem = ResidentId.problem(number);
        if (problem != null) {
            throw new LoginRejected("invalid_id_number", problem);
        }
        LocalDate today = LocalDate.now(clock);
        LocalDate from = date(card, "validFrom");
        if (from.isAfter(today)) {
            throw new LoginRejected("card_not_yet_valid", "this ID card is valid only from " + from);
        }
        String to = text(card, "validTo");
        if (!to.equals("长期")) {
            LocalDate until = date(card, "validTo");
            if (until.isBefore(today)) {
                throw new LoginRejected("card_expired", "this ID card expired on " + until + "; please renew it");
            }
            if (until.isBefore(from)) {
                throw new LoginRejected("invalid_card", "the card's validity ends before it begins");
            }
        }
        return new Person(new ResidentId(number), name);
    }

    private static String text(Map<?, ?> card, String field) throws LoginRejected {
        Object v = card.get(field);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new LoginRejected("invalid_card", "the card field '" + field + "' is missing");
        }
        return s.strip();
    }

    private static LocalDate date(Map<?, ?> card, String field) throws LoginRejected {
        String s = text(card, field);
        try {
            return s.length() == 8 ? LocalDate.parse(s, BASIC) : LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new LoginRejected("invalid_card", "the card field '" + field + "' is not a date: " + s);
        }
    }
}
