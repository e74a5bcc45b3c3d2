-- Sealed documents as issued (issued_at in UTC): the signed issue record, never the PDF (that is the citizen's).
-- signature is Ed25519 (key key_id) over the record's statement, which includes every column
-- here and the SHA-256 of the exact PDF bytes: verification needs nothing else, and editing a
-- row without the private key makes its documents fail verification.
CREATE TABLE sealed_document (
    code              VARCHAR(32)   NOT NULL PRIMARY KEY,
    item              VARCHAR(64)   NOT NULL,
    department        VARCHAR(64)   NOT NULL,
    title_zh          VARCHAR(200)  NOT NULL,
    title_en          VARCHAR(200)  NOT NULL,
    hall_id           VARCHAR(64)   NOT NULL,
    hall_zh           VARCHAR(200)  NOT NULL,
    hall_en           VARCHAR(200)  NOT NULL,
    terminal          VARCHAR(64)   NOT NULL,
    holder_masked     VARCHAR(100)  NOT NULL,
    holder_id_masked  VARCHAR(32)   NOT NULL,
    issued_at         TIMESTAMP     NOT NULL,
    content_sha256    CHAR(64)      NOT NULL,
    pdf_sha256        CHAR(64)      NOT NULL,
    pdf_size          INTEGER       NOT NULL,
    key_id            VARCHAR(32)   NOT NULL,
    signature         VARCHAR(200)  NOT NULL
);
