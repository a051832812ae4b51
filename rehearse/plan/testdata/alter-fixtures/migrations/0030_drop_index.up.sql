ALTER TABLE fx_drop_index DROP INDEX k_k;
