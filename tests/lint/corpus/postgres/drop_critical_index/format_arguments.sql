CREATE FUNCTION drop_idx(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP INDEX IF EXISTS %I', name);
END $$;
SELECT drop_idx('ix_ticket_status_log_status_changed');
SELECT drop_idx('ix_ticket_status_created');
