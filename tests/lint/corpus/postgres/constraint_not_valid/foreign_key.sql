ALTER TABLE ticket_status_log ADD CONSTRAINT fk_log_ticket FOREIGN KEY (ticket_id) REFERENCES ticket (id);
ALTER TABLE ticket_status_log ADD CONSTRAINT fk_log_ticket2 FOREIGN KEY (ticket_id) REFERENCES ticket (id) NOT VALID;
ALTER TABLE ticket_status_log VALIDATE CONSTRAINT fk_log_ticket2;
ALTER TABLE ticket ADD CONSTRAINT ck_title CHECK (title <> '');
