-- Collation names as an index definition quotes them.
SELECT oid, quote_ident(collname) AS name FROM pg_collation
