-- Every base table of the current database with its table-level settings; partitioning is
-- read from the first partition row (one per table when partitioned).
SELECT t.TABLE_NAME AS table_name, t.ENGINE AS engine, t.TABLE_COLLATION AS collation,
       p.PARTITION_METHOD AS partition_method, p.PARTITION_EXPRESSION AS partition_expression
FROM information_schema.TABLES t
LEFT JOIN information_schema.PARTITIONS p
  ON p.TABLE_SCHEMA = t.TABLE_SCHEMA AND p.TABLE_NAME = t.TABLE_NAME
 AND p.PARTITION_ORDINAL_POSITION = 1 AND (p.SUBPARTITION_ORDINAL_POSITION IS NULL
      OR p.SUBPARTITION_ORDINAL_POSITION = 1)
WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY t.TABLE_NAME
