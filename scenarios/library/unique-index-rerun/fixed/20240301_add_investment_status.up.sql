ALTER TABLE investments
  ADD COLUMN status ENUM('pending','settled','cancelled') NOT NULL DEFAULT 'pending';
