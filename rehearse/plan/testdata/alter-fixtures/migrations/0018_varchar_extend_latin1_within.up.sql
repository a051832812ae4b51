ALTER TABLE fx_varchar_extend_latin1_within MODIFY b varchar(200);
