CREATE OR REPLACE FUNCTION purge_log() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
  DELETE FROM ticket_status_log;
END
$body$;
CREATE FUNCTION never_called() RETURNS void LANGUAGE sql AS 'DELETE FROM ticket';
SELECT purge_log();
