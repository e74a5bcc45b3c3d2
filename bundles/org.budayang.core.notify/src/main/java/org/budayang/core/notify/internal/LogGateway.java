package org.budayang.core.notify.internal;

import org.budayang.api.notify.Sms;
import org.budayang.api.notify.SmsGateway;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo gateway: "sends" by writing the masked number and the topic to the log. Never the
 * text, which may carry a pickup code; admins read it in the outbox viewer.
 */
@Component(property = SmsGateway.NAME + "=log")
public final class LogGateway implements SmsGateway {
    private static final Logger LOG = LoggerFactory.getLogger(LogGateway.class);

    @Override
    public String send(Sms sms, long reference) {
        LOG.info("SMS to {} [{}] (outbox #{}, {} characters)", sms.maskedPhone(), sms.topic(), reference, sms.text().length());
        return "log-" + reference;
    }
}
