-- Messages, SQLite family: the same queries, names and parameter positions as sql/postgres/queries/messages.sql
-- (read the comments there). Lists of ids arrive as a JSON array read with json_each. Data-modifying CTEs do
-- not exist here, so moves between the live table and the archive are two statements; the driver runs the
-- statements of one query in a single BEGIN IMMEDIATE transaction and returns the rows of the first statement
-- that has result columns.
-- There is no message_insert_batch: batches insert row by row inside one transaction (no round trips here).

-- name: message_insert
-- Returns the message without its payload (NULL): the caller already has it, so it is not rendered, sent and
-- parsed back. Inserts nothing when the producer's worker row was deleted (purge_queue).
INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id)
SELECT ?1, ?2, ?3, ?4, ?5
WHERE ?5 IS NULL OR EXISTS (SELECT 1 FROM pgqrs_workers w WHERE w.id = ?5)
RETURNING id, queue_id, NULL, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL;

-- name: message_claim
-- ?7 (claim floor) is always NULL here: SQLite deletes index entries physically, so there is no dead prefix
-- to skip. Two statements in one BEGIN IMMEDIATE transaction (the write lock is held, so both see the same
-- rows): the SELECT returns the claimed rows as the UPDATE leaves them, with the ready-time (vt before the
-- lease) as the 11th column; SQLite's RETURNING can only show new values, so it cannot give claim order.
-- A consumer whose worker row was deleted (purge_queue) claims nothing.
SELECT id, queue_id, payload, ?4, enqueued_at, read_ct + 1, COALESCE(dequeued_at, ?2), producer_worker_id, ?6,
       NULL, vt
FROM pgqrs_messages
WHERE queue_id = ?1 AND vt >= COALESCE(?7, -9223372036854775807) AND vt <= ?2 AND read_ct < ?5
  AND EXISTS (SELECT 1 FROM pgqrs_workers w WHERE w.id = ?6)
ORDER BY vt, id
LIMIT ?3;
UPDATE pgqrs_messages
SET vt = ?4, read_ct = read_ct + 1, dequeued_at = COALESCE(dequeued_at, ?2), consumer_worker_id = ?6
WHERE id IN (SELECT id FROM pgqrs_messages
             WHERE queue_id = ?1 AND vt >= COALESCE(?7, -9223372036854775807) AND vt <= ?2 AND read_ct < ?5
               AND EXISTS (SELECT 1 FROM pgqrs_workers w WHERE w.id = ?6)
             ORDER BY vt, id
             LIMIT ?3);

-- name: message_archive
INSERT INTO pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                           producer_worker_id, consumer_worker_id, archived_at)
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, ?3
FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2
RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          archived_at;
DELETE FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2;

-- name: message_archive_ids
-- The DELETE returns the ids: an INSERT ... RETURNING costs more (about 3,000 instructions per message at
-- batch 100) than the same RETURNING on the DELETE.
INSERT INTO pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                           producer_worker_id, consumer_worker_id, archived_at)
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, ?3
FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2;
DELETE FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2
RETURNING id;

-- name: message_delete_owned
DELETE FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2
RETURNING id;

-- name: message_extend
UPDATE pgqrs_messages SET vt = vt + ?3
WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2
RETURNING id;

-- name: message_renew_lease
UPDATE pgqrs_messages SET vt = max(vt, ?3)
WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2
RETURNING id;

-- name: message_release
UPDATE pgqrs_messages SET vt = ?3, consumer_worker_id = NULL
WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2
RETURNING id, read_ct;

-- name: message_release_by_consumer
UPDATE pgqrs_messages SET vt = ?2, consumer_worker_id = NULL WHERE consumer_worker_id = ?1
RETURNING id, read_ct;

-- name: message_get
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, NULL
FROM pgqrs_messages WHERE id = ?1
UNION ALL
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_archive WHERE id = ?1;

-- name: message_get_many
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       NULL AS archived_at
FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1))
UNION ALL
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_archive WHERE id IN (SELECT value FROM json_each(?1))
ORDER BY id;

-- name: message_list
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, NULL
FROM pgqrs_messages ORDER BY enqueued_at DESC, id DESC;

-- name: message_list_by_queue
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, NULL
FROM pgqrs_messages WHERE queue_id = ?1 ORDER BY enqueued_at DESC, id DESC LIMIT ?2;

-- name: message_list_by_consumer
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       NULL AS archived_at
FROM pgqrs_messages WHERE consumer_worker_id = ?1
UNION ALL
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_archive WHERE consumer_worker_id = ?1
ORDER BY id;

-- name: message_list_archived_by_queue
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_archive WHERE queue_id = ?1 ORDER BY archived_at DESC, id DESC;

-- name: message_count
SELECT count(*) FROM pgqrs_messages;

-- name: message_count_by_consumer
SELECT count(*) FROM pgqrs_messages WHERE consumer_worker_id = ?1;

-- name: message_count_worker_references
SELECT (SELECT count(*) FROM pgqrs_messages WHERE producer_worker_id = ?1 OR consumer_worker_id = ?1)
     + (SELECT count(*) FROM pgqrs_archive WHERE producer_worker_id = ?1 OR consumer_worker_id = ?1);

-- name: message_count_claimable
SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1 AND vt <= ?2 AND read_ct < ?3;

-- name: message_count_held
SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1 AND consumer_worker_id = ?2 AND vt > ?3;

-- name: message_count_by_queue
SELECT (SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1)
     + (SELECT count(*) FROM pgqrs_archive WHERE queue_id = ?1);

-- name: message_update_payload
UPDATE pgqrs_messages SET payload = ?2 WHERE id = ?1 RETURNING id;

-- name: message_delete_live
DELETE FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) RETURNING id;

-- name: message_delete_archived
DELETE FROM pgqrs_archive WHERE id IN (SELECT value FROM json_each(?1)) RETURNING id;

-- name: message_list_poison
SELECT id FROM pgqrs_messages WHERE read_ct >= ?1 ORDER BY id;

-- name: message_list_poison_visible
SELECT id FROM (
    SELECT id, read_ct FROM pgqrs_messages WHERE queue_id = ?1 AND vt <= ?2 ORDER BY vt, id LIMIT ?4
) WHERE read_ct >= ?3;

-- name: message_dead_letter_ids
-- The runs are failed before the messages leave (their ids are found in the live table).
INSERT INTO pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                           producer_worker_id, consumer_worker_id, archived_at, dead_lettered_at)
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, ?3, ?3
FROM pgqrs_messages
WHERE id IN (SELECT value FROM json_each(?1)) AND read_ct >= ?2 AND (?4 OR consumer_worker_id IS NULL OR vt <= ?3)
RETURNING id;
UPDATE pgqrs_workflow_runs
SET status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE 'ERROR' END,
    error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE json_object(
        'is_transient', json('false'), 'code', 'DEAD_LETTERED',
        'message', 'its message was delivered ' || ?2 || ' times without the run finishing') END,
    completed_at = ?3, updated_at = ?3
WHERE message_id IN (SELECT id FROM pgqrs_archive
                     WHERE id IN (SELECT value FROM json_each(?1)) AND dead_lettered_at = ?3)
  AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING');
DELETE FROM pgqrs_messages
WHERE id IN (SELECT id FROM pgqrs_archive WHERE id IN (SELECT value FROM json_each(?1)) AND dead_lettered_at = ?3);

-- name: message_replay
INSERT INTO pgqrs_messages (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                            producer_worker_id, consumer_worker_id)
SELECT id, queue_id, payload, ?2, ?2, 0, NULL, producer_worker_id, NULL FROM pgqrs_archive WHERE id = ?1
RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL;
UPDATE pgqrs_workflow_runs SET status = 'QUEUED', error = NULL, completed_at = NULL, updated_at = ?2
WHERE message_id = ?1 AND status = 'ERROR' AND json_extract(error, '$.code') = 'DEAD_LETTERED'
  AND EXISTS (SELECT 1 FROM pgqrs_messages WHERE id = ?1);
DELETE FROM pgqrs_archive WHERE id = ?1;
