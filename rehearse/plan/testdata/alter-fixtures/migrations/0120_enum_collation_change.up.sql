ALTER TABLE fx_enum_collation_change MODIFY e enum('x','y') COLLATE utf8mb4_bin;
