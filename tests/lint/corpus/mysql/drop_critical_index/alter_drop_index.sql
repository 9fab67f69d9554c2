ALTER TABLE ticket_status_log ADD INDEX ix_new (status_code), DROP INDEX IX_Ticket_Status_Log_Status_Changed;
