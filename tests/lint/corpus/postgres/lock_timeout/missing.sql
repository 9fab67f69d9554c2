ALTER TABLE ticket ADD COLUMN note text;
SET lock_timeout = '2s';
ALTER TABLE ticket ADD COLUMN note2 text;
