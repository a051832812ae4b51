-- Both columns in one statement (one copy of the table instead of two),
-- and LOCK=NONE: the server must either run it without blocking writes or
-- refuse it. MariaDB 10.11 and MySQL refuse at once (error 1846: a column
-- type change is a COPY and needs a lock) -- the release must run it with
-- an online schema change tool (gh-ost, pt-online-schema-change, spirit)
-- instead. MariaDB 11.2 and later run it online (ALGORITHM=COPY, LOCK=NONE).
ALTER TABLE states
  MODIFY old_state_id BIGINT DEFAULT NULL,
  MODIFY attributes_id BIGINT DEFAULT NULL,
  LOCK=NONE;
