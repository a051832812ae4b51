-- Rows for the release to work on: 200 channels in 20 teams, 5,000 threads.
INSERT INTO Channels (Id, CreateAt, UpdateAt, DeleteAt, TeamId, Type, DisplayName, Name, Header, Purpose, LastPostAt, TotalMsgCount, ExtraUpdateAt, CreatorId)
SELECT CONCAT('chan', LPAD(a.n * 1000 + b.n, 22, '0')), 1700000000000, 1700000000000, 0, CONCAT('team', LPAD((a.n * 1000 + b.n) % 20, 22, '0')), 'O',
       CONCAT('Channel ', a.n * 1000 + b.n), CONCAT('channel-', a.n * 1000 + b.n), '', '', 1700000000000, 10, 0, 'user0000000000000000000001'
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n = 0 AND b.n < 200;
INSERT INTO Threads (PostId, ReplyCount, LastReplyAt, Participants, ChannelId, ThreadDeleteAt)
SELECT CONCAT('post', LPAD(a.n * 1000 + b.n, 22, '0')), (a.n * 1000 + b.n) % 7, 1700000000000 + a.n * 1000 + b.n, '[]',
       CONCAT('chan', LPAD((a.n * 1000 + b.n) % 200, 22, '0')), 0
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 5;
