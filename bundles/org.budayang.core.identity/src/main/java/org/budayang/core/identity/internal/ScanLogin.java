package org.budayang.core.identity.internal;

import java.util.Map;

import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.LoginMethod;
import org.budayang.api.identity.LoginRejected;
import org.budayang.api.identity.Person;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login by scanning the app's code (扫码登录): once the app's back end has confirmed the
 * terminal's ticket ({@link LoginTickets}), the terminal logs in with
 * {@code {"ticket": "…", "secret": "…"}}, the secret it got with the ticket. Works once, before
 * the ticket expires, and only at the terminal the ticket was issued to.
 */
@Component(property = LoginMethod.PROPERTY + "=" + ScanLogin.NAME)
public final class ScanLogin implements LoginMethod {
    private static final Logger LOG = LoggerFactory.getLogger(ScanLogin.class);
    static final String NAME = "scan";
    private final LoginTickets tickets;

    @Activate
    public ScanLogin(@Reference LoginTickets tickets) {
        this.tickets = tickets;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Person authenticate(Terminal terminal, Map<String, Object> credentials) throws LoginRejected {
        if (!(credentials.get("ticket") instanceof String ticket) || !(credentials.get("secret") instanceof String secret)) {
            throw new LoginRejected("ticket_unknown",
                    "the request needs the login ticket in \"ticket\" and its secret in \"secret\"");
        }
        try {
            return tickets.redeem(terminal.id(), ticket, secret);
        } catch (LoginRejected e) {
            // Another terminal or a wrong secret is someone trying a ticket that is not theirs.
            if (e.code().equals("wrong_terminal") || e.code().equals("wrong_secret")) {
                LOG.warn("Login 'scan' refused at terminal {}: {}", terminal.id(), e.code());
            } else {
                LOG.debug("Login 'scan' refused at terminal {}: {}", terminal.id(), e.code());
            }
            throw e;
        }
    }
}
