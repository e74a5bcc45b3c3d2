-- Text messages waiting to be sent (core.notify). A row is inserted in the same transaction as
-- the change that causes the message, so it exists exactly when that change committed.
-- state: PENDING (due at next_attempt_at), SENDING (a sender holds it until next_attempt_at, the
-- lease), SENT, FAILED. attempts counts claims, so it also fences a sender whose lease expired.
-- The phone is stored as given because the gateway needs it; logs and views show it masked.
CREATE TABLE sms_outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone            VARCHAR(20)   NOT NULL,
    text             VARCHAR(1000) NOT NULL,
    topic            VARCHAR(64),
    state            VARCHAR(10)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    created_at       TIMESTAMP     NOT NULL,
    next_attempt_at  TIMESTAMP,
    sent_at          TIMESTAMP,
    gateway_id       VARCHAR(200),
    last_error       VARCHAR(500)
);

CREATE INDEX sms_outbox_due ON sms_outbox (state, next_attempt_at);
