-- Smart file lockers. Cabinets and their compartments are configured (factory PID
-- org.budayang.cabinet); this keeps what changes: each compartment's state, the parcels, the
-- per-cabinet code lock-out and the audit log. Pickup codes are stored only as a keyed hash.

-- One row per configured compartment. door_action is the intent written BEFORE an open command
-- goes to the board (DEPOSIT, PICKUP, MANUAL); door_opened_at is set once the board confirmed
-- the door open. A row with door_action set and door_opened_at empty after a restart is a door
-- command whose outcome was never recorded: it is reconciled by asking the board.
CREATE TABLE locker_compartment (
    cabinet_id      VARCHAR(64)   NOT NULL,
    n               INTEGER       NOT NULL,
    board           INTEGER       NOT NULL,
    lock_no         INTEGER       NOT NULL,
    size            CHAR(1)       NOT NULL,
    state           VARCHAR(16)   NOT NULL,
    parcel_id       BIGINT,
    door_action     VARCHAR(16),
    door_actor      VARCHAR(100),
    door_intent_at  TIMESTAMP,
    door_opened_at  TIMESTAMP,
    note            VARCHAR(500),
    changed_at      TIMESTAMP     NOT NULL,
    PRIMARY KEY (cabinet_id, n),
    CONSTRAINT locker_compartment_state CHECK (state IN ('FREE', 'RESERVED', 'OCCUPIED', 'OUT_OF_SERVICE')),
    CONSTRAINT locker_compartment_size CHECK (size IN ('S', 'M', 'L')),
    CONSTRAINT locker_compartment_door CHECK (door_action IS NULL OR door_action IN ('DEPOSIT', 'PICKUP', 'MANUAL'))
);

-- slot is '<cabinet>/<n>' while the parcel is in its compartment or going in, NULL once it is
-- collected or cancelled: the unique constraint makes a second parcel in the same compartment
-- impossible even if the compartment's own conditional update were bypassed. Derby lets any
-- number of rows have NULL in a unique column.
-- code_hash is HMAC-SHA256 of the pickup code, unique per cabinet while set (NULL once used).
CREATE TABLE locker_parcel (
    id               BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_no          VARCHAR(40)   NOT NULL REFERENCES citizen_case (case_no),
    department       VARCHAR(64)   NOT NULL,
    direction        VARCHAR(3)    NOT NULL,
    state            VARCHAR(12)   NOT NULL,
    cabinet_id       VARCHAR(64)   NOT NULL,
    compartment      INTEGER       NOT NULL,
    slot             VARCHAR(80),
    phone            VARCHAR(20),
    code_hash        CHAR(64),
    code_expires_at  TIMESTAMP,
    created_at       TIMESTAMP     NOT NULL,
    created_by       VARCHAR(100)  NOT NULL,
    stored_at        TIMESTAMP,
    collected_at     TIMESTAMP,
    collected_by     VARCHAR(100),
    CONSTRAINT locker_parcel_slot UNIQUE (slot),
    CONSTRAINT locker_parcel_code UNIQUE (cabinet_id, code_hash),
    CONSTRAINT locker_parcel_direction CHECK (direction IN ('IN', 'OUT')),
    CONSTRAINT locker_parcel_state CHECK (state IN ('DEPOSITING', 'STORED', 'COLLECTED', 'CANCELLED'))
);

-- (case_no is indexed already: Derby backs every foreign key with an index.)
CREATE INDEX locker_parcel_by_cabinet ON locker_parcel (cabinet_id, state);

-- Wrong codes per cabinet: wrong_count since first_wrong_at; code entry refused until locked_until.
CREATE TABLE locker_guard (
    cabinet_id      VARCHAR(64)   NOT NULL PRIMARY KEY,
    wrong_count     INTEGER       NOT NULL,
    first_wrong_at  TIMESTAMP,
    locked_until    TIMESTAMP
);

CREATE TABLE locker_audit (
    id           BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  TIMESTAMP     NOT NULL,
    cabinet_id   VARCHAR(64)   NOT NULL,
    compartment  INTEGER,
    terminal     VARCHAR(64),
    actor        VARCHAR(100)  NOT NULL,
    event        VARCHAR(20)   NOT NULL,
    parcel_id    BIGINT,
    detail       VARCHAR(1000)
);

CREATE INDEX locker_audit_by_cabinet ON locker_audit (cabinet_id, id);
