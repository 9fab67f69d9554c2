DO $$ BEGIN EXECUTE format('DROP INDEX %I', 'ix_ticket_status_created'); END $$;
