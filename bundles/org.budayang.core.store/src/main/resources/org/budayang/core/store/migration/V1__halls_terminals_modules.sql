-- Halls, their terminals (with the device capabilities each has) and the per-hall module switch.
CREATE TABLE hall (
    id        VARCHAR(64)  NOT NULL PRIMARY KEY,
    name_zh   VARCHAR(200) NOT NULL,
    name_en   VARCHAR(200) NOT NULL
);

CREATE TABLE terminal (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY,
    hall_id       VARCHAR(64)   NOT NULL REFERENCES hall (id),
    name          VARCHAR(200)  NOT NULL,
    capabilities  VARCHAR(2000) NOT NULL,
    token_hash    VARCHAR(128)  NOT NULL,
    registered_at TIMESTAMP     NOT NULL
);

-- A row exists only once an admin touched the switch; no row means enabled.
CREATE TABLE hall_module (
    hall_id     VARCHAR(64)  NOT NULL REFERENCES hall (id),
    department  VARCHAR(64)  NOT NULL,
    enabled     BOOLEAN      NOT NULL,
    changed_at  TIMESTAMP    NOT NULL,
    changed_by  VARCHAR(100),
    PRIMARY KEY (hall_id, department)
);
