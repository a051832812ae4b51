-- Cherry-picked into the 2.3.1 hotfix from main. On main it follows
-- 20240410 (loyalty_tier), which stays in release 2.4: production does not
-- have that column.
ALTER TABLE customers
  ADD COLUMN loyalty_points INT UNSIGNED NOT NULL DEFAULT 0 AFTER loyalty_tier;
