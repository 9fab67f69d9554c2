ALTER TABLE ticket ADD CONSTRAINT uq_ticket_title UNIQUE (title);
CREATE UNIQUE INDEX CONCURRENTLY uq_ticket_status ON ticket (status_code);
ALTER TABLE ticket ADD CONSTRAINT uq_ticket_status UNIQUE USING INDEX uq_ticket_status;
