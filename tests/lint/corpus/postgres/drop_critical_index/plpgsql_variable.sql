DO $$
DECLARE
  ix text := 'ix_ticket_status_log_status_changed';
  q text;
BEGIN
  q := 'DROP INDEX ' || quote_ident(ix);
  EXECUTE q;
END $$;
