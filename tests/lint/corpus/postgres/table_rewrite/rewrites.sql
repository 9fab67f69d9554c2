ALTER TABLE ticket ALTER COLUMN title TYPE text;
ALTER TABLE ticket ADD COLUMN touched timestamptz DEFAULT now();
ALTER TABLE ticket ADD COLUMN flag boolean DEFAULT false;
ALTER TABLE ticket ALTER COLUMN title SET NOT NULL;
