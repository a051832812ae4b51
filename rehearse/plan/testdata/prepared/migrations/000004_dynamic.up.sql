SET @tbl = 'items';
SET @d = CONCAT('ALTER TABLE ', @tbl, ' ADD COLUMN extra int');
PREPARE s4 FROM @d;
EXECUTE s4;
DEALLOCATE PREPARE s4;
