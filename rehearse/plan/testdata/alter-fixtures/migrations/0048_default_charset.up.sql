ALTER TABLE fx_default_charset DEFAULT CHARACTER SET latin1;
