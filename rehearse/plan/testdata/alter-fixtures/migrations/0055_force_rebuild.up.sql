ALTER TABLE fx_force_rebuild FORCE;
