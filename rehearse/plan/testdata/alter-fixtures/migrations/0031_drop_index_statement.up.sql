DROP INDEX k_k ON fx_drop_index_statement;
