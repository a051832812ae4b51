ALTER TABLE history
  DROP INDEX idx_history_event_time_event_type,
  ADD INDEX idx_history_event_time (event_time),
  ALGORITHM=INPLACE, LOCK=NONE;
