-- Worker rows. Columns of every worker result:
-- id, name, queue_id, started_at, heartbeat_at, shutdown_at, status.

-- name: worker_insert
INSERT INTO {schema}.pgqrs_workers (name, queue_id, started_at, heartbeat_at, status)
VALUES ($1::text, $2::bigint, $3::timestamptz, $3::timestamptz, 'ready')
RETURNING id, name, queue_id, started_at, heartbeat_at, shutdown_at, status;

-- name: worker_reactivate
-- Re-registration of a stopped name reuses the row (spec §4.1).
UPDATE {schema}.pgqrs_workers
SET status = 'ready', queue_id = $2::bigint, started_at = $3::timestamptz, heartbeat_at = $3::timestamptz,
    shutdown_at = NULL
WHERE id = $1::bigint AND status = 'stopped'
RETURNING id, name, queue_id, started_at, heartbeat_at, shutdown_at, status;

-- name: worker_get
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM {schema}.pgqrs_workers WHERE id = $1::bigint;

-- name: worker_get_by_name
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM {schema}.pgqrs_workers WHERE name = $1::text;

-- name: worker_list
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM {schema}.pgqrs_workers ORDER BY started_at DESC, id DESC;

-- name: worker_list_by_queue
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM {schema}.pgqrs_workers WHERE queue_id = $1::bigint ORDER BY started_at DESC, id DESC;

-- name: worker_count
SELECT count(*) FROM {schema}.pgqrs_workers;

-- name: worker_transition
-- Moves to status $2 only from one of the statuses in $4; no row back means the move is not allowed.
UPDATE {schema}.pgqrs_workers
SET status = $2::text::{schema}.pgqrs_worker_status,
    shutdown_at = CASE WHEN $2::text = 'stopped' THEN $3::timestamptz ELSE shutdown_at END,
    heartbeat_at = $3::timestamptz
WHERE id = $1::bigint AND status::text = ANY($4::text[])
RETURNING id, name, queue_id, started_at, heartbeat_at, shutdown_at, status;

-- name: worker_heartbeat
UPDATE {schema}.pgqrs_workers SET heartbeat_at = $2::timestamptz WHERE id = $1::bigint RETURNING id;

-- name: worker_list_zombies
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM {schema}.pgqrs_workers
WHERE queue_id = $1::bigint AND status IN ('ready', 'polling', 'suspended', 'interrupted')
  AND heartbeat_at < $2::timestamptz
ORDER BY heartbeat_at;

-- name: worker_reclaim
-- $1 worker, $2 stale cutoff, $3 now. Stops a zombie only if it is still stale: a heartbeat that arrived since
-- the zombie list was read wins (the row lock orders the two writes).
UPDATE {schema}.pgqrs_workers
SET status = 'stopped', shutdown_at = $3::timestamptz, heartbeat_at = $3::timestamptz
WHERE id = $1::bigint AND status <> 'stopped' AND heartbeat_at < $2::timestamptz
RETURNING id;

-- name: worker_delete
DELETE FROM {schema}.pgqrs_workers WHERE id = $1::bigint;

-- name: worker_purge_stopped
DELETE FROM {schema}.pgqrs_workers w
WHERE w.status = 'stopped' AND w.heartbeat_at < $1::timestamptz
  AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_messages m
                  WHERE m.producer_worker_id = w.id OR m.consumer_worker_id = w.id)
  AND NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_archive a
                  WHERE a.producer_worker_id = w.id OR a.consumer_worker_id = w.id)
RETURNING w.id;

-- name: worker_stats
-- $1 queue, $2 now. Counts per status, unexpired leases held by the queue's workers, oldest start, newest beat.
SELECT count(*),
       count(CASE WHEN status = 'ready' THEN 1 END),
       count(CASE WHEN status = 'polling' THEN 1 END),
       count(CASE WHEN status = 'interrupted' THEN 1 END),
       count(CASE WHEN status = 'suspended' THEN 1 END),
       count(CASE WHEN status = 'stopped' THEN 1 END),
       (SELECT count(*) FROM {schema}.pgqrs_messages m
        WHERE m.queue_id = $1::bigint AND m.consumer_worker_id IS NOT NULL AND m.vt > $2::timestamptz),
       min(started_at),
       max(heartbeat_at)
FROM {schema}.pgqrs_workers WHERE queue_id = $1::bigint;

-- name: worker_health_by_queue
-- $1 stale cutoff. One row per queue name ('Admin' for workers without a queue).
SELECT COALESCE(q.queue_name, 'Admin') AS queue_name,
       count(*),
       count(CASE WHEN w.status = 'ready' THEN 1 END),
       count(CASE WHEN w.status = 'polling' THEN 1 END),
       count(CASE WHEN w.status = 'interrupted' THEN 1 END),
       count(CASE WHEN w.status = 'suspended' THEN 1 END),
       count(CASE WHEN w.status = 'stopped' THEN 1 END),
       count(CASE WHEN w.status IN ('ready', 'polling') AND w.heartbeat_at < $1::timestamptz THEN 1 END)
FROM {schema}.pgqrs_workers w LEFT JOIN {schema}.pgqrs_queues q ON q.id = w.queue_id
GROUP BY 1 ORDER BY 1;

-- name: worker_health_global
SELECT 'Global',
       count(*),
       count(CASE WHEN status = 'ready' THEN 1 END),
       count(CASE WHEN status = 'polling' THEN 1 END),
       count(CASE WHEN status = 'interrupted' THEN 1 END),
       count(CASE WHEN status = 'suspended' THEN 1 END),
       count(CASE WHEN status = 'stopped' THEN 1 END),
       count(CASE WHEN status IN ('ready', 'polling') AND heartbeat_at < $1::timestamptz THEN 1 END)
FROM {schema}.pgqrs_workers;
