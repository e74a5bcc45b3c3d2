package org.budayang.api.notify;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Delivers text messages (an SMPP link to the operator's SMSC, or the log for a demo),
 * registered with {@link #NAME}; the outbox sender uses the one configured.
 */
@ConsumerType
public interface SmsGateway {
    String NAME = "budayang.sms.gateway";

    /** The gateway cannot take messages now; the outbox keeps the message and retries. */
    class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Sends one message.
     *
     * @param reference the outbox id, stable across retries
     * @return the gateway's message id
     */
    String send(Sms sms, long reference) throws Unavailable;
}
