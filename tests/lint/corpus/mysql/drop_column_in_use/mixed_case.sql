ALTER TABLE Ticket_Status_Log DROP COLUMN Ticket_ID;
