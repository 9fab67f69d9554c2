.bail on
DELETE FROM ticket;
