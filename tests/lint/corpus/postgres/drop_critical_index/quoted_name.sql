DROP INDEX "IX_TICKET_STATUS_LOG_STATUS_CHANGED";
DROP INDEX "ix_ticket_status_log_status_changed";
