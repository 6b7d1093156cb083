-- Worker rows, SQLite family. Columns of every worker result:
-- id, name, queue_id, started_at, heartbeat_at, shutdown_at, status.

-- name: worker_insert
INSERT INTO pgqrs_workers (name, queue_id, started_at, heartbeat_at, status)
VALUES (?1, ?2, ?3, ?3, 'ready')
RETURNING id, name, queue_id, started_at, heartbeat_at, shutdown_at, status;

-- name: worker_reactivate
UPDATE pgqrs_workers
SET status = 'ready', queue_id = ?2, started_at = ?3, heartbeat_at = ?3, shutdown_at = NULL
WHERE id = ?1 AND status = 'stopped'
RETURNING id, name, queue_id, started_at, heartbeat_at, shutdown_at, status;

-- name: worker_get
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status FROM pgqrs_workers WHERE id = ?1;

-- name: worker_get_by_name
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status FROM pgqrs_workers WHERE name = ?1;

-- name: worker_list
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM pgqrs_workers ORDER BY started_at DESC, id DESC;

-- name: worker_list_by_queue
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM pgqrs_workers WHERE queue_id = ?1 ORDER BY started_at DESC, id DESC;

-- name: worker_count
SELECT count(*) FROM pgqrs_workers;

-- name: worker_transition
UPDATE pgqrs_workers
SET status = ?2,
    shutdown_at = CASE WHEN ?2 = 'stopped' THEN ?3 ELSE shutdown_at END,
    heartbeat_at = ?3
WHERE id = ?1 AND status IN (SELECT value FROM json_each(?4))
RETURNING id, name, queue_id, started_at, heartbeat_at, shutdown_at, status;

-- name: worker_heartbeat
UPDATE pgqrs_workers SET heartbeat_at = ?2 WHERE id = ?1 RETURNING id;

-- name: worker_list_zombies
SELECT id, name, queue_id, started_at, heartbeat_at, shutdown_at, status
FROM pgqrs_workers
WHERE queue_id = ?1 AND status IN ('ready', 'polling', 'suspended', 'interrupted') AND heartbeat_at < ?2
ORDER BY heartbeat_at;

-- name: worker_reclaim
UPDATE pgqrs_workers SET status = 'stopped', shutdown_at = ?3, heartbeat_at = ?3
WHERE id = ?1 AND status <> 'stopped' AND heartbeat_at < ?2
RETURNING id;

-- name: worker_delete
DELETE FROM pgqrs_workers WHERE id = ?1;

-- name: worker_purge_stopped
DELETE FROM pgqrs_workers
WHERE status = 'stopped' AND heartbeat_at < ?1
  AND NOT EXISTS (SELECT 1 FROM pgqrs_messages m
                  WHERE m.producer_worker_id = pgqrs_workers.id OR m.consumer_worker_id = pgqrs_workers.id)
RETURNING id;

-- name: worker_stats
SELECT count(*),
       count(CASE WHEN status = 'ready' THEN 1 END),
       count(CASE WHEN status = 'polling' THEN 1 END),
       count(CASE WHEN status = 'interrupted' THEN 1 END),
       count(CASE WHEN status = 'suspended' THEN 1 END),
       count(CASE WHEN status = 'stopped' THEN 1 END),
       (SELECT count(*) FROM pgqrs_messages m
        WHERE m.queue_id = ?1 AND m.archived_at IS NULL AND m.consumer_worker_id IS NOT NULL AND m.vt > ?2),
       min(started_at),
       max(heartbeat_at)
FROM pgqrs_workers WHERE queue_id = ?1;

-- name: worker_health_by_queue
SELECT COALESCE(q.queue_name, 'Admin') AS queue_name,
       count(*),
       count(CASE WHEN w.status = 'ready' THEN 1 END),
       count(CASE WHEN w.status = 'polling' THEN 1 END),
       count(CASE WHEN w.status = 'interrupted' THEN 1 END),
       count(CASE WHEN w.status = 'suspended' THEN 1 END),
       count(CASE WHEN w.status = 'stopped' THEN 1 END),
       count(CASE WHEN w.status IN ('ready', 'polling') AND w.heartbeat_at < ?1 THEN 1 END)
FROM pgqrs_workers w LEFT JOIN pgqrs_queues q ON q.id = w.queue_id
GROUP BY 1 ORDER BY 1;

-- name: worker_health_global
SELECT 'Global',
       count(*),
       count(CASE WHEN status = 'ready' THEN 1 END),
       count(CASE WHEN status = 'polling' THEN 1 END),
       count(CASE WHEN status = 'interrupted' THEN 1 END),
       count(CASE WHEN status = 'suspended' THEN 1 END),
       count(CASE WHEN status = 'stopped' THEN 1 END),
       count(CASE WHEN status IN ('ready', 'polling') AND heartbeat_at < ?1 THEN 1 END)
FROM pgqrs_workers;
