-- Queue rows. Columns of every queue result: id, queue_name, created_at.

-- name: queue_insert
INSERT INTO {schema}.pgqrs_queues (queue_name, created_at) VALUES ($1::text, $2::timestamptz)
RETURNING id, queue_name, created_at;

-- name: queue_get_by_name
SELECT id, queue_name, created_at FROM {schema}.pgqrs_queues WHERE queue_name = $1::text;

-- name: queue_get
SELECT id, queue_name, created_at FROM {schema}.pgqrs_queues WHERE id = $1::bigint;

-- name: queue_list
SELECT id, queue_name, created_at FROM {schema}.pgqrs_queues ORDER BY created_at DESC, id DESC;

-- name: queue_count
SELECT count(*) FROM {schema}.pgqrs_queues;

-- name: queue_lock
SELECT id FROM {schema}.pgqrs_queues WHERE id = $1::bigint FOR UPDATE;

-- name: queue_references
-- Workers, messages (live and archived) and workflows that still point at the queue.
SELECT (SELECT count(*) FROM {schema}.pgqrs_workers WHERE queue_id = $1::bigint),
       (SELECT count(*) FROM {schema}.pgqrs_messages WHERE queue_id = $1::bigint)
         + (SELECT count(*) FROM {schema}.pgqrs_archive WHERE queue_id = $1::bigint),
       (SELECT count(*) FROM {schema}.pgqrs_workflows WHERE queue_id = $1::bigint);

-- name: queue_delete
DELETE FROM {schema}.pgqrs_queues WHERE id = $1::bigint;

-- name: queue_purge_messages
DELETE FROM {schema}.pgqrs_messages WHERE queue_id = $1::bigint;

-- name: queue_purge_archive
DELETE FROM {schema}.pgqrs_archive WHERE queue_id = $1::bigint;

-- name: queue_purge_workers
DELETE FROM {schema}.pgqrs_workers WHERE queue_id = $1::bigint;

-- name: queue_metrics
-- $1 queue id (NULL: every queue), $2 now. One row per queue, by name: live + archived, pending (live and not
-- under an unexpired lease: leases expire, so an expired one is pending again), locked (under an unexpired
-- lease), archived (acknowledged and dead-lettered), oldest pending enqueue time, newest enqueue time (live or
-- archived), delayed (live, unleased, visible only later), dead-lettered. Aggregates without GROUP BY always
-- give one row, so every queue appears, empty ones too.
SELECT q.queue_name,
       l.live + a.archived,
       l.live - l.locked,
       l.locked,
       a.archived,
       l.oldest_pending,
       GREATEST(l.newest, a.newest),
       l.delayed,
       (SELECT count(*) FROM {schema}.pgqrs_archive d
        WHERE d.queue_id = q.id AND d.dead_lettered_at IS NOT NULL)
FROM {schema}.pgqrs_queues q
CROSS JOIN LATERAL (
    SELECT count(*) AS live,
           count(*) FILTER (WHERE m.consumer_worker_id IS NOT NULL AND m.vt > $2::timestamptz) AS locked,
           count(*) FILTER (WHERE m.consumer_worker_id IS NULL AND m.vt > $2::timestamptz) AS delayed,
           min(m.enqueued_at) FILTER (WHERE m.consumer_worker_id IS NULL OR m.vt <= $2::timestamptz)
               AS oldest_pending,
           max(m.enqueued_at) AS newest
    FROM {schema}.pgqrs_messages m WHERE m.queue_id = q.id) l
CROSS JOIN LATERAL (
    SELECT count(*) AS archived, max(ar.enqueued_at) AS newest
    FROM {schema}.pgqrs_archive ar WHERE ar.queue_id = q.id) a
WHERE $1::bigint IS NULL OR q.id = $1::bigint
ORDER BY q.queue_name;

-- name: system_stats
-- $1 now. Queues, workers, active (ready or polling) workers, live messages, pending, locked (as in
-- queue_metrics), archived, highest applied migration, dead-lettered.
SELECT (SELECT count(*) FROM {schema}.pgqrs_queues),
       (SELECT count(*) FROM {schema}.pgqrs_workers),
       (SELECT count(*) FROM {schema}.pgqrs_workers WHERE status IN ('ready', 'polling')),
       l.live,
       l.live - l.locked,
       l.locked,
       (SELECT count(*) FROM {schema}.pgqrs_archive),
       (SELECT COALESCE(max(version), 0)::bigint FROM {schema}.pgqrs_schema_version),
       (SELECT count(*) FROM {schema}.pgqrs_archive WHERE dead_lettered_at IS NOT NULL)
FROM (SELECT count(*) AS live,
             count(*) FILTER (WHERE consumer_worker_id IS NOT NULL AND vt > $1::timestamptz) AS locked
      FROM {schema}.pgqrs_messages) l;
