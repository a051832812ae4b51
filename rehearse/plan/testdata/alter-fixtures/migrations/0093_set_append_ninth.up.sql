ALTER TABLE fx_set_append_ninth MODIFY s SET('s1','s2','s3','s4','s5','s6','s7','s8','s9');
