ALTER TABLE fx_timestamp_fsp_increase MODIFY at TIMESTAMP(3) NULL;
