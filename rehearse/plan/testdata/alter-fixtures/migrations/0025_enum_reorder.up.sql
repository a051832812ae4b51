ALTER TABLE fx_enum_reorder MODIFY e enum('y','x');
