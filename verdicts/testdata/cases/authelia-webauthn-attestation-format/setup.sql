-- 3,000 WebAuthn credentials; a third registered before attestation types
-- were recorded (attestation_type NULL).
INSERT INTO webauthn_credentials (created_at, last_used_at, rpid, username, description, kid, aaguid, attestation_type, attachment, transport, sign_count, clone_warning, legacy, discoverable, present, verified, backup_eligible, backup_state, public_key, attestation)
SELECT '2024-01-01 00:00:00', NULL, 'auth.example.com', CONCAT('user', a.n * 1000 + b.n), 'key', CONCAT('kid-', a.n * 1000 + b.n), NULL,
       IF((a.n * 1000 + b.n) % 3 = 0, NULL, ELT(1 + (a.n * 1000 + b.n) % 2, 'packed', 'none')), 'cross-platform', 'usb', (a.n * 1000 + b.n) % 50, 0, 0, 0, 1, 1, 0, 0, 'pk', NULL
FROM (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) a
CROSS JOIN (WITH RECURSIVE s (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 999) SELECT n FROM s) b
WHERE a.n < 3;
