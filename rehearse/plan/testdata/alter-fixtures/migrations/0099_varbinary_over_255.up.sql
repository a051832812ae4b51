ALTER TABLE fx_varbinary_over_255 MODIFY b varbinary(300);
