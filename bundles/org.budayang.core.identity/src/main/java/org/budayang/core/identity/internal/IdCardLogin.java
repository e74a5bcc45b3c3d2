package org.budayang.core.identity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.IdCard;
import org.budayang.api.device.IdCardReader;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.budayang.api.identity.ResidentId;
import org.budayang.api.text.TextRule;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login with the second-generation ID card, two ways:
 * <ul>
 * <li>{@code {"reader": true}}: the platform reads the card on the terminal's own reader (its
 * {@code idcard} device), waiting up to {@code reader.timeout.seconds} (or the request's
 * {@code "timeoutSeconds"}) for the citizen to put it on; {@code no_card} if none came,
 * {@code device_unavailable} if the terminal has no working reader;
 * <li>{@code {"card": {"name", "idNumber", "validFrom", "validTo"}}}: a terminal with its own
 * reader software passes the decoded fields exactly as the card holds them: these four and no
 * others, dates as {@code yyyyMMdd}, {@code validTo} may be {@code 长期} (no expiry), the name
 * as {@link TextRule#PERSON_NAME} allows.
 * </ul>
 * Either way the card is checked the same: a name, a valid ID number, within its validity dates.
 * Refusals name the field and never repeat its value (it may be the ID number in the wrong field).
 */
@Component(configurationPid = IdCardLogin.PID, property = LoginMethod.PROPERTY + "=idcard")
@Designate(ocd = IdCardConfig.class)
public final class IdCardLogin implements LoginMethod {
    static final String PID = "org.budayang.identity.idcard";
    /** Cards are issued and expire by the calendar in China. */
    static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    /** What a card carries; anything else means the terminal sends something this login does not check. */
    static final List<String> CARD_FIELDS = List.of("name", "idNumber", "validFrom", "validTo");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_]{1,32}");
    /** What may be a resident ID number inside a driver's message. */
    private static final Pattern ID_LIKE = Pattern.compile("(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])");
    private static final Logger LOG = LoggerFactory.getLogger(IdCardLogin.class);
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
        for (Object field : card.keySet()) {
            if (!CARD_FIELDS.contains(field)) {
                // The name of the field only if it is plainly one: it came from outside too.
                String which = field instanceof String f && FIELD_NAME.matcher(f).matches() ? "'card." + f + "'" : "in 'card'";
                throw new LoginRejected("invalid_card", "unknown field " + which + " (allowed: "
                        + String.join(", ", CARD_FIELDS) + ")");
            }
        }
        String name = text(card, "name");
        String number = text(card, "idNumber");
        String problem = ResidentId.problem(number);
        if (problem != null) {
            throw new LoginRejected("invalid_id_number", problem);
        }
        LocalDate from = date(card, "validFrom");
        String to = text(card, "validTo");
        return check("card.name", name, new ResidentId(number), from, to.equals(IdCard.LONG_TERM) ? null : date(card, "validTo"));
    }

    private Person fromReader(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        Duration wait = TerminalDevices.timeout(credentials, readerTimeout);
        Optional<IdCardReader> reader = devices.reader(terminal.id());
        if (reader.isEmpty()) {
            throw refused(terminal, "device_unavailable", "this terminal's ID card reader is not working right now; "
                    + "please use another way to log in", "the terminal has no working reader");
        }
        Optional<IdCard> card;
        try {
            card = reader.get().read(wait);
        } catch (DeviceException e) {
            // The driver's words (BAD_REPLY, checksums) are for the log; the citizen gets a sentence.
            String detail = "the reader said " + e.reason() + ": " + e.getMessage();
            if (e.reason() == DeviceException.Reason.REFUSED) {
                throw refused(terminal, "invalid_card", "the card on the reader cannot be used: " + e.getMessage(), detail);
            }
            throw refused(terminal, "device_unavailable",
                    "the ID card reader did not work; please try again or use another way to log in", detail);
        }
        if (card.isEmpty()) {
            throw refused(terminal, "no_card", "no ID card was put on the reader within " + wait.toSeconds() + " seconds",
                    "no card within " + wait.toSeconds() + " s");
        }
        IdCard c = card.get();
        try {
            return check("name on the card", c.name(), c.id(), c.validFrom(), c.validTo());
        } catch (LoginRejected r) {
            throw refused(terminal, r.code(), r.getMessage(), "card " + c.id().masked() + ": " + r.getMessage());
        }
    }

    /**
     * A refused reader login, logged once with what the citizen is not told (anything that looks
     * like an ID number masked); a failing reader is a warning, a citizen's card an info.
     */
    private static LoginRejected refused(Terminal terminal, String code, String message, String detail) {
        String masked = ID_LIKE.matcher(detail).replaceAll(m -> ResidentId.mask(m.group()));
        if (code.equals("device_unavailable")) {
            LOG.warn("ID-card login at terminal {} refused ({}): {}", terminal.id(), code, masked);
        } else {
            LOG.info("ID-card login at terminal {} refused ({}): {}", terminal.id(), code, masked);
        }
        return new LoginRejected(code, message);
    }

    /** The validity rules, the same for a card read here and one decoded by the terminal. */
    private Person check(String nameField, String name, ResidentId id, LocalDate from, LocalDate until) throws LoginRejected {
        String problem = TextRule.PERSON_NAME.problem(nameField, name);
        if (problem != null) {
            throw new LoginRejected("invalid_card", problem);
        }
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
        return new Person(id, name.strip());
    }

    /** A field as sent (not stripped: the name rule and the exact formats decide about white space). */
    private static String text(Map<?, ?> card, String field) throws LoginRejected {
        Object v = card.get(field);
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new LoginRejected("invalid_card", "field 'card." + field + "' is missing (it must be text)");
        }
        return s;
    }

    private static LocalDate date(Map<?, ?> card, String field) throws LoginRejected {
        LocalDate d = IdCard.date(text(card, field));
        if (d == null) {
            throw new LoginRejected("invalid_card", "field 'card." + field + "' must be a date as the card holds it: "
                    + "exactly yyyyMMdd, e.g. 20200101" + (field.equals("validTo") ? ", or " + IdCard.LONG_TERM : ""));
        }
        return d;
    }
}
