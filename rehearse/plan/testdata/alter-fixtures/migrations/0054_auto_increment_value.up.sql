ALTER TABLE fx_auto_increment_value AUTO_INCREMENT = 1000;
