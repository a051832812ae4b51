-- 30,000 opaque identifiers: 20,000 openid users, 5,000 openid with an empty
-- username, 5,000 of another service; a consent session for each openid one
-- (sized so that 5#5, a table copy, blocks writers well above the 100 ms floor
-- of max-stall-share on a quiet machine: at 2,500 sessions it took 0.1-0.3 s).
INSERT INTO user_opaque_identifier (service, sector_id, username, identifier)
SELECT IF(a.n * 1000 + b.n < 25000, 'openid', 'webauthn'), CONCAT('sector-', a.n * 1000 + b.n), IF(a.n * 1000 + b.n BETWEEN 20000 AND 24999, '', CONCAT('user', a.n * 1000 + b.n)),
       CONCAT('00000000-0000-0000-0000-', LPAD(a.n * 1000 + b.n, 12, '0'))
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 30;
INSERT INTO oauth2_consent_session (challenge_id, client_id, subject, authorized, granted, requested_at, responded_at, expires_at, form_data, requested_scopes, granted_scopes, requested_audience, granted_audience)
SELECT CONCAT('c0000000-0000-0000-0000-', LPAD(a.n * 1000 + b.n, 12, '0')), 'client', CONCAT('00000000-0000-0000-0000-', LPAD(a.n * 1000 + b.n, 12, '0')),
       1, 1, '2024-01-01 00:00:00', '2024-01-01 00:00:01', '2025-01-01 00:00:00', '', 'openid', 'openid', '', ''
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n * 1000 + b.n < 25000 AND a.n < 30;
