-- 24 true-up reviews (monthly), 10 remote clusters.
INSERT INTO TrueUpReviewHistory (DueDate, Completed)
SELECT 1700000000000 + b.n * 2592000000, b.n % 3 <> 0
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n = 0 AND b.n < 24;
INSERT INTO RemoteClusters (RemoteId, RemoteTeamId, Name, DisplayName, SiteURL, CreateAt, LastPingAt, Token, RemoteToken, Topics, CreatorId, PluginID)
SELECT CONCAT('rc', LPAD(b.n, 24, '0')), NULL, CONCAT('remote', b.n), 'Remote', CONCAT('https://remote', b.n, '.example.com'), 1700000000000, 0, 'token', 'rtoken', '', 'user0000000000000000000001', ''
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n = 0 AND b.n < 10;
