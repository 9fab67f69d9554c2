DO $$ BEGIN EXECUTE format('DROP INDEX %I', (SELECT indexname FROM pg_indexes LIMIT 1)); END $$;
