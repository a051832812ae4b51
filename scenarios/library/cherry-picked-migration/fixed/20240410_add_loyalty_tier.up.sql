-- Cherry-picked together with 20240415, which depends on it.
ALTER TABLE customers
  ADD COLUMN loyalty_tier ENUM('none','silver','gold') NOT NULL DEFAULT 'none' AFTER name;
