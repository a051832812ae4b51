-- The composite index the history view needs (ORDER BY event_time,
-- event_type). An "online" index build, but it still needs an exclusive
-- metadata lock to start: behind a long SELECT it waits, and every INSERT
-- queues behind it.
ALTER TABLE history
  DROP INDEX idx_history_event_time,
  ADD INDEX idx_history_event_time_event_type (event_time, event_type);
