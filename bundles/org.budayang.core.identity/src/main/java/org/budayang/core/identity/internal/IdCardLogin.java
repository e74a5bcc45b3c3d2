package org.budayang.core.identity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.IdCard;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Login with the second-generation ID card, two ways:
 * <ul>
 * <li>{@code {"reader": true}}: the platform reads the card on the terminal's own reader (its
 * {@code idcard} device), waiting up to {@code reader.timeout.seconds} (or the request's
 * {@code "timeoutSeconds"}) for the citizen to put it on; {@code no_card} if none came,
 * {@code device_unavailable} if the terminal has no working reader;
 * <li>{@code {"card": {"name", "idNumber", "validFrom", "validTo"}}}: a terminal with its own
 * reader software passes the decoded fields, dates as {@code yyyyMMdd} (as the card stores them)
 * or {@code yyyy-MM-dd}, {@code validTo} may be {@code 长期} (no expiry).
 * </ul>
 * Either way the card is checked the same: a valid ID number, within its validity dates.
 */
@Component(configurationPid = IdCardLogin.PID, property = LoginMethod.PROPERTY + "=idcard")
@Designate(ocd = IdCardConfig.class)
public final class IdCardLogin implements LoginMethod {
    static final String PID = "org.budayang.identity.idcard";
    /** Cards are issued and expire by the calendar in China. */
    static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter BASIC = DateTimeFormatter.BASIC_ISO_DATE;
    private final Clock clock;
    private final TerminalDevices devices;
    private final Duration readerTimeout;

    @Activate
    public IdCardLogin(@Reference TerminalDevices devices, IdCardConfig config) {
        this(Clock.system(CHINA), devices, Duration.ofSeconds(Math.max(1, config.reader_timeout_seconds())));
    }

    IdCardLogin(Clock clock) {
        this(clock, new TerminalDevices(), Duration.ofSeconds(20));
    }

    IdCardLogin(Clock clock, TerminalDevices devices, Duration readerTimeout) {
        this.clock = clock;
        this.devices = devices;
        this.readerTimeout = readerTimeout;
    }

    @Override
    public String name() {
        return "idcard";
    }

    @Override
    public Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        if (Boolean.TRUE.equals(credentials.get("reader"))) {
            return fromReader(terminal, credentials);
        }
        if (!(credentials.get("card") instanceof Map<?, ?> card)) {
            throw new LoginRejected("invalid_card",
                    "the request needs the card's fields in \"card\", or \"reader\": true to read it on the terminal's reader");
        }
        String name = text(card, "name");
        String number = text(card, "idNumber");
        String problem = ResidentId.problem(number);
        if (problem != null) {
            throw new LoginRejected("invalid_id_number", problem);
        }
        LocalDate from = date(card, "validFrom");
        String to = text(card, "validTo");
        return check(name, new ResidentId(number), from, to.equals("长期") ? null : date(card, "validTo"));
    }

    private Person fromReader(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        Duration wait = TerminalDevices.timeout(credentials, readerTimeout);
        IdCardReader reader = devices.reader(terminal.id()).orElseThrow(() -> new LoginRejected("device_unavailable",
                "this terminal's ID card reader is not working right now; please use another way to log in"));
        Optional<IdCard> card;
        try {
            card = reader.read(wait);
        } catch (DeviceException e) {
            if (e.reason() == DeviceException.Reason.REFUSED) {
                throw new LoginRejected("invalid_card", "the card on the reader cannot be used: " + e.getMessage());
            }
            throw new LoginRejected("device_unavailable",
                    "the ID card reader did not work; please try again or use another way to log in");
        }
        IdCard c = card.orElseThrow(() -> new LoginRejected("no_card",
                "no ID card was put on the reader within " + wait.toSeconds() + " seconds"));
        return check(c.name(), c.id(), c.validFrom(), c.validTo());
    }

    /** The validity rules, the same for a card read here and one decoded by the terminal. */
    private Person check(String name, ResidentId id, LocalDate from, LocalDate until) throws LoginRejected {
        LocalDate today = LocalDate.now(clock);
        if (from.isAfter(today)) {
            throw new LoginRejected("card_not_yet_valid", "this ID card is valid only from " + from);
        }
        if (until != null) {
            if (until.isBefore(today)) {
                throw new LoginRejected("card_expired", "this ID card expired on " + until + "; please renew it");
            }
            if (until.isBefore(from)) {
                throw new LoginRejected("invalid_card", "the card's validity ends before it begins");
            }
        }
        return new Person(id, name);
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
