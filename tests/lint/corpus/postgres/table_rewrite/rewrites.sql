ALTER TABLE ticket ALTER COLUMN title TYPE text;
ALTER TABLE ticket ADD COLUMN touched timestamptz DEFAULT now();
ALTER TABLE ticket ADD COLUMN flag boolean DEFAULT false;
ALTER TABLE ticket ALTER COLUMN title SET NOT NULL;
ALTER TABLE ticket ALTER COLUMN status_code TYPE varchar(8);
ALTER TABLE ticket ALTER COLUMN status_code TYPE varchar(64);
ALTER TABLE ticket ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE ticket ALTER COLUMN id TYPE text;
