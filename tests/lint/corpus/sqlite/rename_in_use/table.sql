ALTER TABLE ticket RENAME TO tickets;
DROP TABLE tickets;
