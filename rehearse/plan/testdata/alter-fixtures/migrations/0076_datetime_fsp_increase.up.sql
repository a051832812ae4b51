ALTER TABLE fx_datetime_fsp_increase MODIFY at DATETIME(6);
