-- The receipt's QR code leads a phone to the case's public status page by this token: random
-- (256 bits, base64url), never derived from the case number, so pages cannot be enumerated.
-- Cases from before this migration get one when their receipt is first printed.
ALTER TABLE citizen_case ADD COLUMN status_token VARCHAR(43);
ALTER TABLE citizen_case ADD CONSTRAINT case_status_token UNIQUE (status_token);
