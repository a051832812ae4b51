ALTER TABLE fx_remove_partitioning REMOVE PARTITIONING;
