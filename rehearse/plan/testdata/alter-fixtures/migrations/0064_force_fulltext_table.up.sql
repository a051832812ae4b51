ALTER TABLE fx_force_fulltext_table FORCE;
