ALTER TABLE fx_add_spatial ADD SPATIAL INDEX sp_g (g);
