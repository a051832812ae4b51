ALTER TABLE fx_reorder_column MODIFY a int AFTER s;
