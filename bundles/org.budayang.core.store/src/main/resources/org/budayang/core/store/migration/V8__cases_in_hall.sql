-- A case of a department without a back office is processed in the hall, by the hall's window
-- staff (role hall-staff), and never forwarded.
ALTER TABLE citizen_case ADD COLUMN in_hall BOOLEAN NOT NULL DEFAULT FALSE;
