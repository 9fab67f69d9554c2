TRUNCATE ticket_status_log;
CREATE TABLE scratch (id int);
TRUNCATE scratch;
