UPDATE `ticket` SET `title` = 'x';
UPDATE ticket SET title = 'y' WHERE id = 1 OR 1 = 1;
