ALTER TABLE fx_binary_extend MODIFY c BINARY(20);
