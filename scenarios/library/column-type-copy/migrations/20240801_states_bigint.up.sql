-- The ids outgrow INT: widen them to BIGINT, one column per statement as the
-- upgrade did. A type change is a table copy (ALGORITHM=COPY): on MariaDB
-- 10.11 and MySQL every write to states waits for the whole copy, and each
-- statement copies the table again.
ALTER TABLE states MODIFY old_state_id BIGINT DEFAULT NULL;
ALTER TABLE states MODIFY attributes_id BIGINT DEFAULT NULL;
