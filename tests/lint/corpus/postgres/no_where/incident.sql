-- Maintenance 2024-03-09: "clean up redundant fields" (the script of the incident).
-- Meant for a handful of test rows and one obsolete index; it ran against production as is.
UPDATE ticket_status_log SET reason = NULL;

DROP INDEX ix_ticket_status_log_status_changed;
