ALTER TABLE fx_enum_remove MODIFY e enum('x');
