-- Form drafts, so a citizen can continue filling on a phone (through a QR link with a secret
-- key) and submit at the terminal. Only the key's hash is stored.
CREATE TABLE form_draft (
    id              VARCHAR(40)    NOT NULL PRIMARY KEY,
    key_hash        CHAR(64)       NOT NULL,
    applicant_hash  CHAR(64)       NOT NULL REFERENCES person (id_hash),
    item            VARCHAR(64)    NOT NULL,
    situation       VARCHAR(64),
    form_json       VARCHAR(32000) NOT NULL,
    updated_at      TIMESTAMP      NOT NULL,
    expires_at      TIMESTAMP      NOT NULL
);
