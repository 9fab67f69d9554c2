RENAME TABLE ticket TO ticket_old, ticket_status_log TO log_old;
DROP TABLE log_old;
