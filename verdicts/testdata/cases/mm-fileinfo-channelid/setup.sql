-- Rows for the release: 5,000 posts in 100 channels, a file on each.
INSERT INTO Posts (Id, CreateAt, UpdateAt, DeleteAt, UserId, ChannelId, RootId, OriginalId, Message, Type, Props, Hashtags, Filenames, FileIds, HasReactions, EditAt, IsPinned)
SELECT CONCAT('post', LPAD(a.n * 1000 + b.n, 22, '0')), 1700000000000 + a.n * 1000 + b.n, 1700000000000, 0, 'user0000000000000000000001',
       CONCAT('chan', LPAD((a.n * 1000 + b.n) % 100, 22, '0')), '', '', CONCAT('Message ', a.n * 1000 + b.n), '', '{}', '', '[]', '[]', 0, 0, 0
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 5;
INSERT INTO FileInfo (Id, CreatorId, PostId, CreateAt, UpdateAt, DeleteAt, Path, ThumbnailPath, PreviewPath, Name, Extension, Size, MimeType, Width, Height, HasPreviewImage, Content, Archived)
SELECT CONCAT('file', LPAD(a.n * 1000 + b.n, 22, '0')), 'user0000000000000000000001', CONCAT('post', LPAD(a.n * 1000 + b.n, 22, '0')),
       1700000000000 + a.n * 1000 + b.n, 1700000000000, 0, CONCAT('data/', a.n * 1000 + b.n, '.png'), '', '', CONCAT(a.n * 1000 + b.n, '.png'), 'png', 2048, 'image/png', 64, 64, 1, '', 0
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 5;
