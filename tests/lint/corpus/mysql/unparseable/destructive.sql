DROP INDEX ix_ticket_status_created ON ticket ALGORITHM = INPLACE LOCK = NONE WHATEVER;
