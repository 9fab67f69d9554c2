DROP TABLE ticket;
DROP TABLE IF EXISTS report_tmp;
