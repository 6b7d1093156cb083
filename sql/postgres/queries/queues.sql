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
