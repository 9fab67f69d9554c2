SELECT format('DROP INDEX %I', indexname) FROM pg_indexes WHERE tablename = 'ticket'
\gexec
