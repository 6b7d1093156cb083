-- Operations (docs/operations.md): retention in bounded batches, and counts for metrics. Every batch is its
-- own short statement or transaction, so retention never holds locks on many rows for long.

-- name: retention_archive_delete
-- $1 queue, $2 archived before, $3 batch size. Deletes the oldest archived messages of the queue, except one
-- whose workflow run is not finished (it may still be replayed or inspected by that run). Walks the archive
-- index (queue_id, archived_at).
DELETE FROM {schema}.pgqrs_archive
WHERE id IN (
    SELECT a.id FROM {schema}.pgqrs_archive a
    WHERE a.queue_id = $1::bigint AND a.archived_at < $2::timestamptz
      AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_workflow_runs r
                      WHERE r.message_id = a.id AND r.status NOT IN ('SUCCESS', 'ERROR', 'CANCELLED'))
    ORDER BY a.archived_at
    LIMIT $3::int);

-- name: retention_runs_pick
-- $1 finished before, $2 batch size. Finished runs (SUCCESS, ERROR, CANCELLED) whose message is not live any
-- more (a live one could still be delivered and would find no run). Locked until the batch commits.
SELECT r.id FROM {schema}.pgqrs_workflow_runs r
WHERE r.status IN ('SUCCESS', 'ERROR', 'CANCELLED') AND COALESCE(r.completed_at, r.updated_at) < $1::timestamptz
  AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_messages m WHERE m.id = r.message_id)
ORDER BY r.id
LIMIT $2::int
FOR UPDATE OF r SKIP LOCKED;

-- name: retention_steps_delete
-- $1 run ids. Explicit (not left to ON DELETE CASCADE) so the steps are counted.
DELETE FROM {schema}.pgqrs_workflow_steps WHERE run_id = ANY($1::bigint[]);

-- name: retention_runs_delete
DELETE FROM {schema}.pgqrs_workflow_runs WHERE id = ANY($1::bigint[]);

-- name: retention_workers_window
-- $1 idle before, $2 after this id, $3 batch size. The next window of stopped, long idle workers in id order:
-- how many and the highest id. Windows keep the walk moving past workers that are still referenced.
SELECT count(*), COALESCE(max(id), 0)::bigint FROM (
    SELECT id FROM {schema}.pgqrs_workers
    WHERE status = 'stopped' AND heartbeat_at < $1::timestamptz AND id > $2::bigint
    ORDER BY id
    LIMIT $3::int) w;

-- name: retention_workers_delete
-- $1 idle before, $2..$3 the window (exclusive, inclusive). Deletes its workers that no message (live or
-- archived) and no workflow run refers to; the conditions are checked again here, so a worker registered
-- again since the window was read is kept.
DELETE FROM {schema}.pgqrs_workers w
WHERE w.status = 'stopped' AND w.heartbeat_at < $1::timestamptz AND w.id > $2::bigint AND w.id <= $3::bigint
  AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_messages m
                  WHERE m.producer_worker_id = w.id OR m.consumer_worker_id = w.id)
  AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_archive a
                  WHERE a.producer_worker_id = w.id OR a.consumer_worker_id = w.id)
  AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_workflow_runs r WHERE r.worker_id = w.id);

-- name: run_count_by_status
-- One row per status that has runs.
SELECT status::text, count(*) FROM {schema}.pgqrs_workflow_runs GROUP BY status;
