ALTER TABLE ticket RENAME COLUMN title TO subject;
CREATE TABLE draft (a int);
ALTER TABLE draft RENAME COLUMN a TO b;
