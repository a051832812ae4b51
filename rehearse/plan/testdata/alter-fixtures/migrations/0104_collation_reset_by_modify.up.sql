ALTER TABLE fx_collation_reset_by_modify MODIFY b varchar(20);
