-- Same index, built online. The deploy runs it with a short
-- lock_wait_timeout (rehearse.fixed.yaml: 2 s): behind a long query the
-- ALTER gives up with error 1205 instead of queueing every writer, and the
-- deploy retries it once the query is gone.
ALTER TABLE history
  DROP INDEX idx_history_event_time,
  ADD INDEX idx_history_event_time_event_type (event_time, event_type),
  ALGORITHM=INPLACE, LOCK=NONE;
