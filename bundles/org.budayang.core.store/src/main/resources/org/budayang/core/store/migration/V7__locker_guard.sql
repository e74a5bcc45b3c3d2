-- Lockers that one person cannot block (core.locker's README, "Codes and the keypad guard").

-- A case holds at most max.compartments.per.case compartments with its materials and
-- max.compartments.per.result with its result. case_slot is '<case>/<IN|OUT>/<k>', k = 1..limit,
-- while the parcel is in its compartment or going in, NULL once it is collected or cancelled:
-- unique, so of two concurrent drop-offs for a case's last place the database refuses the second.
ALTER TABLE locker_parcel ADD COLUMN case_slot VARCHAR(60);
ALTER TABLE locker_parcel ADD CONSTRAINT locker_parcel_case_slot UNIQUE (case_slot);

-- code_hash now stays on a collected parcel (a used code is answered "already used", not "wrong")
-- until its compartment gets the next parcel or the code would have expired; its uniqueness per
-- cabinet keeps such a code from being issued again meanwhile. No change of the column.

-- The keypad guard is a token bucket per cabinet instead of a cabinet-wide lock-out:
-- free_again_at is when every free attempt is back (each wrong code moves it on by
-- code.wait.seconds), last_wrong_at the latest wrong code.
ALTER TABLE locker_guard DROP COLUMN wrong_count;
ALTER TABLE locker_guard DROP COLUMN first_wrong_at;
ALTER TABLE locker_guard DROP COLUMN locked_until;
ALTER TABLE locker_guard ADD COLUMN free_again_at TIMESTAMP;
ALTER TABLE locker_guard ADD COLUMN last_wrong_at TIMESTAMP;
