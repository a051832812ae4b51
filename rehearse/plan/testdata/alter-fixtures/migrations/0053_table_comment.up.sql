ALTER TABLE fx_table_comment COMMENT = 'hello';
