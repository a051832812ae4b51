ALTER TABLE fx_time_fsp_increase MODIFY t TIME(6);
