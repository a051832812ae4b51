ALTER TABLE fx_drop_partition DROP PARTITION p1;
