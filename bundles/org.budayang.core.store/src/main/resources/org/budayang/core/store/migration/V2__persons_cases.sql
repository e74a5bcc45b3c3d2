-- Citizens who submitted something. The resident ID number is stored encrypted (AES-GCM) and
-- found through a keyed hash (HMAC-SHA256), never in clear.
CREATE TABLE person (
    id_hash     CHAR(64)     NOT NULL PRIMARY KEY,
    id_enc      VARCHAR(200) NOT NULL,
    name        VARCHAR(100) NOT NULL,
    updated_at  TIMESTAMP    NOT NULL
);

-- Readable case numbers count per department and day: TAX-20261122-000042.
CREATE TABLE case_counter (
    prefix      VARCHAR(40)  NOT NULL PRIMARY KEY,
    last_value  INTEGER      NOT NULL
);

CREATE TABLE citizen_case (
    case_no          VARCHAR(40)    NOT NULL PRIMARY KEY,
    item             VARCHAR(64)    NOT NULL,
    department       VARCHAR(64)    NOT NULL,
    situation        VARCHAR(64),
    applicant_hash   CHAR(64)       NOT NULL REFERENCES person (id_hash),
    terminal         VARCHAR(64)    NOT NULL,
    status           VARCHAR(20)    NOT NULL,
    form_json        VARCHAR(32000) NOT NULL,
    forwarded        BOOLEAN        NOT NULL,
    backoffice_ref   VARCHAR(100),
    forward_attempts INTEGER        NOT NULL,
    next_forward_at  TIMESTAMP,
    submitted_at     TIMESTAMP      NOT NULL,
    updated_at       TIMESTAMP      NOT NULL
);

CREATE INDEX case_by_department ON citizen_case (department, submitted_at);
CREATE INDEX case_pending ON citizen_case (forwarded, next_forward_at);

CREATE TABLE case_event (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_no      VARCHAR(40)   NOT NULL REFERENCES citizen_case (case_no),
    from_status  VARCHAR(20),
    to_status    VARCHAR(20)   NOT NULL,
    occurred_at  TIMESTAMP     NOT NULL,
    actor        VARCHAR(100)  NOT NULL,
    note         VARCHAR(1000)
);
