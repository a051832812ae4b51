ALTER TABLE fx_datetime_fsp_same MODIFY at DATETIME(0);
