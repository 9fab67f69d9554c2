DO $$
DECLARE
  n integer;
BEGIN
  IF (SELECT count(*) FROM ticket) > 0 THEN
    DELETE FROM ticket;
  END IF;
  EXECUTE 'UPDATE ticket SET title = ''x''';
END $$;
