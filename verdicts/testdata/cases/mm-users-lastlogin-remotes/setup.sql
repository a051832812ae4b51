-- 5,000 users.
INSERT INTO Users (Id, CreateAt, UpdateAt, DeleteAt, Username, Password, AuthService, Email, EmailVerified, Nickname, FirstName, LastName, Roles, AllowMarketing, Props, NotifyProps, LastPasswordUpdate, LastPictureUpdate, FailedAttempts, Locale, MfaActive, MfaSecret, Position, Timezone)
SELECT CONCAT('user', LPAD(a.n * 1000 + b.n, 22, '0')), 1700000000000, 1700000000000, 0, CONCAT('user', a.n * 1000 + b.n), 'x', '',
       CONCAT('user', a.n * 1000 + b.n, '@example.com'), 1, '', 'First', 'Last', 'system_user', 0, '{}', '{}', 0, 0, 0, 'en', 0, '', '', '{}'
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 5;
