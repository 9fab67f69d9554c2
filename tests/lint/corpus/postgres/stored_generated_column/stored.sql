ALTER TABLE ticket ADD COLUMN title_lower text GENERATED ALWAYS AS (lower(title)) STORED;
