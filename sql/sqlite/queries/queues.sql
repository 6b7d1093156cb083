-- Queue rows, SQLite family. Columns of every queue result: id, queue_name, created_at.

-- name: queue_insert
INSERT INTO pgqrs_queues (queue_name, created_at) VALUES (?1, ?2)
RETURNING id, queue_name, created_at;

-- name: queue_get_by_name
SELECT id, queue_name, created_at FROM pgqrs_queues WHERE queue_name = ?1;

-- name: queue_get
SELECT id, queue_name, created_at FROM pgqrs_queues WHERE id = ?1;

-- name: queue_list
SELECT id, queue_name, created_at FROM pgqrs_queues ORDER BY created_at DESC, id DESC;

-- name: queue_count
SELECT count(*) FROM pgqrs_queues;

-- name: queue_lock
-- The surrounding BEGIN IMMEDIATE transaction already holds the database write lock.
SELECT id FROM pgqrs_queues WHERE id = ?1;

-- name: queue_references
SELECT (SELECT count(*) FROM pgqrs_workers WHERE queue_id = ?1),
       (SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1)
         + (SELECT count(*) FROM pgqrs_archive WHERE queue_id = ?1),
       (SELECT count(*) FROM pgqrs_workflows WHERE queue_id = ?1);

-- name: queue_delete
DELETE FROM pgqrs_queues WHERE id = ?1;

-- name: queue_purge_messages
DELETE FROM pgqrs_messages WHERE queue_id = ?1;

-- name: queue_purge_archive
DELETE FROM pgqrs_archive WHERE queue_id = ?1;

-- name: queue_purge_workers
DELETE FROM pgqrs_workers WHERE queue_id = ?1;
