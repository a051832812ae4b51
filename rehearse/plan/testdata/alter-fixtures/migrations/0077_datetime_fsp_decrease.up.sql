ALTER TABLE fx_datetime_fsp_decrease MODIFY at DATETIME(3);
