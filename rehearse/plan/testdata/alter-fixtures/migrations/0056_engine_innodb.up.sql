ALTER TABLE fx_engine_innodb ENGINE=InnoDB;
