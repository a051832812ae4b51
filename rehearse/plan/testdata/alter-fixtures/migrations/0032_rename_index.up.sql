ALTER TABLE fx_rename_index RENAME INDEX k_k TO k_k2;
