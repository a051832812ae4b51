SET @s = (SELECT IF(
    (SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS
     WHERE table_name = 'items' AND table_schema = DATABASE() AND column_name = 'note') > 0,
    'SELECT 1',
    'ALTER TABLE items ADD COLUMN note varchar(20);'
));
PREPARE s1 FROM @s;
EXECUTE s1;
DEALLOCATE PREPARE s1;
