-- Billing at app release 1.8: every invoice insert writes legacy_ref (the
-- old accounting export's key). History at 20240102.
CREATE TABLE invoices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id INT UNSIGNED NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  legacy_ref VARCHAR(32) NOT NULL,
  issued_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  KEY idx_invoices_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE schema_migrations (
  version BIGINT NOT NULL,
  dirty TINYINT(1) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO schema_migrations (version, dirty) VALUES (20240102, 0);
