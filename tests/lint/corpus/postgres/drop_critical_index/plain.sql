DROP INDEX IF EXISTS public.ix_ticket_status_log_status_changed;
DROP INDEX ix_ticket_status_created;
