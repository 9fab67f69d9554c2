ALTER TABLE ticket ADD COLUMN priority int NOT NULL;
