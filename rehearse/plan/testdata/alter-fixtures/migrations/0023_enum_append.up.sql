ALTER TABLE fx_enum_append MODIFY e enum('x','y','z');
