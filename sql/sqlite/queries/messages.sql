-- Messages, SQLite family: the same queries, names and parameter positions as sql/postgres/queries/messages.sql
-- (read the comments there). Lists of ids arrive as a JSON array read with json_each. The driver runs the
-- statements of one query in a single BEGIN IMMEDIATE transaction and returns the rows of the first statement
-- that has result columns.
-- Unlike PostgreSQL, archived messages stay in pgqrs_messages with archived_at set
-- (sql/sqlite/migrations/0005_archive_in_place.sql): every query on live messages says `archived_at IS NULL`,
-- which is also what lets SQLite use the partial claim index.
-- There is no message_insert_batch: batches insert row by row inside one transaction (no round trips here).

-- fragment: held_by_consumer
-- The live (not archived) messages of the id list ?1 that consumer ?2 holds.
WHERE id IN (SELECT value FROM json_each(?1)) AND consumer_worker_id = ?2 AND archived_at IS NULL

-- name: message_insert
-- Returns the message without its payload (NULL): the caller already has it, so it is not rendered, sent and
-- parsed back. Inserts nothing when the producer's worker row was deleted (purge_queue).
INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id)
SELECT ?1, ?2, ?3, ?4, ?5
WHERE ?5 IS NULL OR EXISTS (SELECT 1 FROM pgqrs_workers w WHERE w.id = ?5)
RETURNING id, queue_id, NULL, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL;

-- fragment: claimable
-- The first ?3 messages of queue ?1 ready at ?2 (vt at or above the claim floor ?7) and below the read limit
-- ?5, in claim order, for consumer ?6 while its worker row exists.
WHERE queue_id = ?1 AND archived_at IS NULL AND vt >= COALESCE(?7, -9223372036854775807) AND vt <= ?2
  AND read_ct < ?5 AND EXISTS (SELECT 1 FROM pgqrs_workers w WHERE w.id = ?6)
ORDER BY vt, id
LIMIT ?3

-- name: message_claim
-- ?7 (claim floor) is always NULL here: SQLite deletes index entries physically, so there is no dead prefix
-- to skip. Two statements in one BEGIN IMMEDIATE transaction (the write lock is held, so both see the same
-- rows): the SELECT returns the claimed rows as the UPDATE leaves them, with the ready-time (vt before the
-- lease) as the 11th column; SQLite's RETURNING can only show new values, so it cannot give claim order.
-- A consumer whose worker row was deleted (purge_queue) claims nothing.
SELECT id, queue_id, payload, ?4, enqueued_at, read_ct + 1, COALESCE(dequeued_at, ?2), producer_worker_id, ?6,
       NULL, vt
FROM pgqrs_messages
{fragment:claimable};
UPDATE pgqrs_messages
SET vt = ?4, read_ct = read_ct + 1, dequeued_at = COALESCE(dequeued_at, ?2), consumer_worker_id = ?6
WHERE id IN (SELECT id FROM pgqrs_messages
{fragment:claimable});

-- name: message_archive
-- A SELECT before the UPDATE instead of RETURNING, as in message_claim: SQLite buffers RETURNING rows in a
-- temporary table, which costs more than reading the rows again under the same write lock (8% of an
-- archive of 100 messages, counted with callgrind).
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, ?3
FROM pgqrs_messages
{fragment:held_by_consumer};
UPDATE pgqrs_messages SET archived_at = ?3
{fragment:held_by_consumer};

-- name: message_archive_ids
-- See message_archive.
SELECT id FROM pgqrs_messages
{fragment:held_by_consumer};
UPDATE pgqrs_messages SET archived_at = ?3
{fragment:held_by_consumer};

-- name: message_archive_held
-- The UPDATE of message_archive_ids alone (in-process engines only): its changes() equal to the number of
-- distinct ids means every one was archived, which is the usual case, and the SELECT that names them is not
-- needed. Otherwise the caller rolls it back and runs message_archive_ids.
UPDATE pgqrs_messages SET archived_at = ?3
{fragment:held_by_consumer};

-- name: message_delete_owned
DELETE FROM pgqrs_messages
{fragment:held_by_consumer}
RETURNING id;

-- name: message_extend
UPDATE pgqrs_messages SET vt = vt + ?3
{fragment:held_by_consumer}
RETURNING id;

-- name: message_renew_lease
UPDATE pgqrs_messages SET vt = max(vt, ?3)
{fragment:held_by_consumer}
RETURNING id;

-- name: message_release
UPDATE pgqrs_messages SET vt = ?3, consumer_worker_id = NULL
{fragment:held_by_consumer}
RETURNING id, read_ct;

-- name: message_release_by_consumer
UPDATE pgqrs_messages SET vt = ?2, consumer_worker_id = NULL
WHERE consumer_worker_id = ?1 AND archived_at IS NULL
RETURNING id, read_ct;

-- name: message_get
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_messages WHERE id = ?1;

-- name: message_get_many
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1))
ORDER BY id;

-- name: message_list
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, NULL
FROM pgqrs_messages WHERE archived_at IS NULL ORDER BY enqueued_at DESC, id DESC;

-- name: message_list_by_queue
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id, NULL
FROM pgqrs_messages WHERE queue_id = ?1 AND archived_at IS NULL ORDER BY enqueued_at DESC, id DESC LIMIT ?2;

-- name: message_list_by_consumer
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_messages WHERE consumer_worker_id = ?1
ORDER BY id;

-- name: message_list_archived_by_queue
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM pgqrs_messages WHERE queue_id = ?1 AND archived_at IS NOT NULL ORDER BY archived_at DESC, id DESC;

-- name: message_count
SELECT count(*) FROM pgqrs_messages WHERE archived_at IS NULL;

-- name: message_count_by_consumer
SELECT count(*) FROM pgqrs_messages WHERE consumer_worker_id = ?1 AND archived_at IS NULL;

-- name: message_count_worker_references
SELECT count(*) FROM pgqrs_messages WHERE producer_worker_id = ?1 OR consumer_worker_id = ?1;

-- name: message_count_claimable
SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1 AND archived_at IS NULL AND vt <= ?2 AND read_ct < ?3;

-- name: message_count_held
SELECT count(*) FROM pgqrs_messages
WHERE queue_id = ?1 AND archived_at IS NULL AND consumer_worker_id = ?2 AND vt > ?3;

-- name: message_count_by_queue
SELECT count(*) FROM pgqrs_messages WHERE queue_id = ?1;

-- name: message_update_payload
UPDATE pgqrs_messages SET payload = ?2 WHERE id = ?1 AND archived_at IS NULL RETURNING id;

-- name: message_delete_live
DELETE FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND archived_at IS NULL RETURNING id;

-- name: message_delete_archived
DELETE FROM pgqrs_messages WHERE id IN (SELECT value FROM json_each(?1)) AND archived_at IS NOT NULL RETURNING id;

-- name: message_list_poison
SELECT id FROM pgqrs_messages WHERE read_ct >= ?1 AND archived_at IS NULL ORDER BY id;

-- name: message_list_poison_visible
SELECT id FROM (
    SELECT id, read_ct FROM pgqrs_messages WHERE queue_id = ?1 AND archived_at IS NULL AND vt <= ?2
    ORDER BY vt, id LIMIT ?4
) WHERE read_ct >= ?3;

-- name: message_dead_letter_ids
-- The messages are archived first, then the runs whose messages were dead-lettered by this statement (same
-- dead_lettered_at) fail.
UPDATE pgqrs_messages SET archived_at = ?3, dead_lettered_at = ?3
WHERE id IN (SELECT value FROM json_each(?1)) AND archived_at IS NULL AND read_ct >= ?2
  AND (?4 OR consumer_worker_id IS NULL OR vt <= ?3)
RETURNING id;
UPDATE pgqrs_workflow_runs
SET status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE 'ERROR' END,
    error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE json_object(
        'is_transient', json('false'), 'code', 'DEAD_LETTERED',
        'message', 'its message was delivered ' || ?2 || ' times without the run finishing') END,
    completed_at = ?3, updated_at = ?3
WHERE message_id IN (SELECT id FROM pgqrs_messages
                     WHERE id IN (SELECT value FROM json_each(?1)) AND dead_lettered_at = ?3)
  AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING');

-- name: message_replay
-- Back to live under the same id, ready now, read count reset, no longer dead-lettered. changes() in the
-- second statement is the number of messages the first replayed (0 or 1).
UPDATE pgqrs_messages
SET vt = ?2, enqueued_at = ?2, read_ct = 0, dequeued_at = NULL, consumer_worker_id = NULL, archived_at = NULL,
    dead_lettered_at = NULL
WHERE id = ?1 AND archived_at IS NOT NULL
RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL;
UPDATE pgqrs_workflow_runs SET status = 'QUEUED', error = NULL, completed_at = NULL, updated_at = ?2
WHERE changes() > 0 AND message_id = ?1 AND status = 'ERROR'
  AND json_extract(error, '$.code') = 'DEAD_LETTERED';
