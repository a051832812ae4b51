-- 20,000 cached values (its copy holds writers long past the 100 ms the gates judge).
INSERT INTO cached_data (created_at, updated_at, name, encrypted, value)
SELECT '2024-01-01 00:00:00', '2024-01-01 00:00:00', CONCAT('key', a.n * 1000 + b.n), (a.n * 1000 + b.n) % 2, REPEAT('v', 1 + (a.n * 1000 + b.n) % 200)
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 20;
