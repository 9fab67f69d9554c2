-- Operator classes an index key names only when they are not its type's default.
SELECT oid, opcname AS name FROM pg_opclass WHERE NOT opcdefault
