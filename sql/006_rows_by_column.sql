-- pushsync schema, version 6: a statement of several rows keeps its captured
-- columns by column, one JSON object of an array per column
-- ({"owner": ["ann", "bob"], ...}), instead of an array of one object per
-- row (olds, news). Aggregated by column, the trigger builds no object per
-- row and its groups stay in memory: a 50,000-row DELETE's log rows cost
-- less than half (bench/BENCHMARKS.md). Rows written before keep olds and
-- news, which are still read.
ALTER TABLE {{schema}}.events ADD COLUMN old_columns json, ADD COLUMN new_columns json;
ALTER TABLE {{schema}}.changes ADD COLUMN old_columns json, ADD COLUMN new_columns json;

DO $lz4$ BEGIN
  ALTER TABLE {{schema}}.events ALTER COLUMN old_columns SET COMPRESSION lz4,
    ALTER COLUMN new_columns SET COMPRESSION lz4;
  ALTER TABLE {{schema}}.changes ALTER COLUMN old_columns SET COMPRESSION lz4,
    ALTER COLUMN new_columns SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $lz4$;
