-- migrate:up
-- Match the legacy reporting database's character set.
ALTER TABLE reviews MODIFY body VARCHAR(200) CHARACTER SET utf8mb3 NOT NULL;

-- migrate:down
ALTER TABLE reviews MODIFY body VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL;
