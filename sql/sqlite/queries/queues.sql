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
       (SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1),
       (SELECT count(*) FROM pgqrs_workflows WHERE queue_id = ?1);

-- name: queue_delete
DELETE FROM pgqrs_queues WHERE id = ?1;

-- name: queue_purge_messages
DELETE FROM pgqrs_messages WHERE queue_id = ?1 AND archived_at IS NULL;

-- name: queue_purge_archive
DELETE FROM pgqrs_messages WHERE queue_id = ?1 AND archived_at IS NOT NULL;

-- name: queue_purge_workers
DELETE FROM pgqrs_workers WHERE queue_id = ?1;

-- name: queue_metrics
-- ?1 queue id (NULL: every queue), ?2 now (see sql/postgres/queries/queues.sql). max(a, b) is NULL when
-- either is, hence the COALESCEs.
SELECT queue_name, live + archived, live - locked, locked, archived, oldest_pending,
       max(COALESCE(newest_live, newest_archived), COALESCE(newest_archived, newest_live)), delayed, dead_lettered
FROM (SELECT q.queue_name,
             (SELECT count(*) FROM pgqrs_messages m WHERE m.queue_id = q.id AND m.archived_at IS NULL) AS live,
             (SELECT count(*) FROM pgqrs_messages m
              WHERE m.queue_id = q.id AND m.archived_at IS NULL AND m.consumer_worker_id IS NOT NULL
                AND m.vt > ?2) AS locked,
             (SELECT count(*) FROM pgqrs_messages m
              WHERE m.queue_id = q.id AND m.archived_at IS NULL AND m.consumer_worker_id IS NULL
                AND m.vt > ?2) AS delayed,
             (SELECT min(m.enqueued_at) FROM pgqrs_messages m
              WHERE m.queue_id = q.id AND m.archived_at IS NULL
                AND (m.consumer_worker_id IS NULL OR m.vt <= ?2)) AS oldest_pending,
             (SELECT max(m.enqueued_at) FROM pgqrs_messages m
              WHERE m.queue_id = q.id AND m.archived_at IS NULL) AS newest_live,
             (SELECT count(*) FROM pgqrs_messages ar
              WHERE ar.queue_id = q.id AND ar.archived_at IS NOT NULL) AS archived,
             (SELECT max(ar.enqueued_at) FROM pgqrs_messages ar
              WHERE ar.queue_id = q.id AND ar.archived_at IS NOT NULL) AS newest_archived,
             (SELECT count(*) FROM pgqrs_messages d
              WHERE d.queue_id = q.id AND d.dead_lettered_at IS NOT NULL) AS dead_lettered
      FROM pgqrs_queues q WHERE ?1 IS NULL OR q.id = ?1)
ORDER BY queue_name;

-- name: system_stats
SELECT (SELECT count(*) FROM pgqrs_queues),
       (SELECT count(*) FROM pgqrs_workers),
       (SELECT count(*) FROM pgqrs_workers WHERE status IN ('ready', 'polling')),
       l.live,
       l.live - l.locked,
       l.locked,
       (SELECT count(*) FROM pgqrs_messages WHERE archived_at IS NOT NULL),
       (SELECT COALESCE(max(version), 0) FROM pgqrs_schema_version),
       (SELECT count(*) FROM pgqrs_messages WHERE dead_lettered_at IS NOT NULL)
FROM (SELECT count(*) AS live,
             count(CASE WHEN consumer_worker_id IS NOT NULL AND vt > ?1 THEN 1 END) AS locked
      FROM pgqrs_messages WHERE archived_at IS NULL) l;
