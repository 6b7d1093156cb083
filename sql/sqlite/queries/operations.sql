-- Operations, SQLite family: the same queries as sql/postgres/queries/operations.sql (read the comments
-- there). The BEGIN IMMEDIATE transaction of a batch holds the write lock, so nothing needs row locks.

-- name: retention_archive_delete
DELETE FROM pgqrs_messages
WHERE id IN (
    SELECT a.id FROM pgqrs_messages a
    WHERE a.queue_id = ?1 AND a.archived_at IS NOT NULL AND a.archived_at < ?2
      AND NOT EXISTS (SELECT 1 FROM pgqrs_workflow_runs r
                      WHERE r.message_id = a.id AND r.status NOT IN ('SUCCESS', 'ERROR', 'CANCELLED'))
    ORDER BY a.archived_at
    LIMIT ?3);

-- name: retention_runs_pick
SELECT r.id FROM pgqrs_workflow_runs r
WHERE r.status IN ('SUCCESS', 'ERROR', 'CANCELLED') AND COALESCE(r.completed_at, r.updated_at) < ?1
  AND NOT EXISTS (SELECT 1 FROM pgqrs_messages m WHERE m.id = r.message_id AND m.archived_at IS NULL)
ORDER BY r.id
LIMIT ?2;

-- name: retention_steps_delete
DELETE FROM pgqrs_workflow_steps WHERE run_id IN (SELECT value FROM json_each(?1));

-- name: retention_runs_delete
DELETE FROM pgqrs_workflow_runs WHERE id IN (SELECT value FROM json_each(?1));

-- name: retention_workers_window
SELECT count(*), COALESCE(max(id), 0) FROM (
    SELECT id FROM pgqrs_workers
    WHERE status = 'stopped' AND heartbeat_at < ?1 AND id > ?2
    ORDER BY id
    LIMIT ?3);

-- name: retention_workers_delete
DELETE FROM pgqrs_workers
WHERE status = 'stopped' AND heartbeat_at < ?1 AND id > ?2 AND id <= ?3
  AND NOT EXISTS (SELECT 1 FROM pgqrs_messages m
                  WHERE m.producer_worker_id = pgqrs_workers.id OR m.consumer_worker_id = pgqrs_workers.id)
  AND NOT EXISTS (SELECT 1 FROM pgqrs_workflow_runs r WHERE r.worker_id = pgqrs_workers.id);

-- name: run_count_by_status
SELECT status, count(*) FROM pgqrs_workflow_runs GROUP BY status;
