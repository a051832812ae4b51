-- Production's schema for the verbatim-replay cases (TestReplayVerbatim,
-- TestPlanAndRunAgree): one table with a secondary index.
CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY,
  a INT NULL,
  KEY i (a)
) ENGINE=InnoDB;
