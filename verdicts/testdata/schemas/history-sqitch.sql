-- Sqitch's registry kept in the application's database (sqitch --registry <the app's
-- database>): create_orders is deployed; script_hash is the SHA-1 of sqitch-add-column's
-- deploy/create_orders.sql.
CREATE TABLE projects (project VARCHAR(255) PRIMARY KEY, uri VARCHAR(255) NULL UNIQUE, created_at DATETIME(6) NOT NULL,
  creator_name VARCHAR(255) NOT NULL, creator_email VARCHAR(255) NOT NULL) ENGINE=InnoDB;
CREATE TABLE changes (change_id VARCHAR(40) PRIMARY KEY, script_hash VARCHAR(40) NULL, `change` VARCHAR(255) NOT NULL,
  project VARCHAR(255) NOT NULL, note TEXT NOT NULL, committed_at DATETIME(6) NOT NULL, committer_name VARCHAR(255) NOT NULL,
  committer_email VARCHAR(255) NOT NULL, planned_at DATETIME(6) NOT NULL, planner_name VARCHAR(255) NOT NULL,
  planner_email VARCHAR(255) NOT NULL) ENGINE=InnoDB;
INSERT INTO projects VALUES ('shop', NULL, '2024-01-01 00:00:00', 'Shop Dev', 'dev@example.com');
INSERT INTO changes VALUES ('4b1b0f6d2a7c3e5f8a9b0c1d2e3f4a5b6c7d8e9f', '6e540b005b3929769c5248220611318f19c11cb4', 'create_orders', 'shop', 'The orders table.',
  '2024-01-01 00:00:01', 'Shop Dev', 'dev@example.com', '2024-01-01 00:00:00', 'Shop Dev', 'dev@example.com');
