-- Messages. Every message result has these 10 columns, in this order:
-- id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
-- archived_at (NULL for live messages).
-- Ownership: a consumer may archive/delete/extend/release only messages whose consumer_worker_id is its own
-- id. A lease is just vt in the future, so an expired lease is claimable again and the new claim takes over
-- ownership; the previous owner's calls then change nothing.

-- name: message_insert
-- Returns the message without its payload (NULL): the caller already has it, so it is not rendered, sent and
-- parsed back. Inserts nothing when the producer's worker row was deleted (purge_queue).
INSERT INTO {schema}.pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id)
SELECT $1::bigint, $2::jsonb, $3::timestamptz, $4::timestamptz, $5::bigint
WHERE $5::bigint IS NULL OR EXISTS (SELECT 1 FROM {schema}.pgqrs_workers w WHERE w.id = $5::bigint)
RETURNING id, queue_id, NULL, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL::timestamptz;

-- name: message_insert_batch
-- One statement for the whole batch (only dialects with array parameters define this query).
INSERT INTO {schema}.pgqrs_messages (queue_id, payload, vt, enqueued_at, producer_worker_id)
SELECT $1::bigint, p.payload, $3::timestamptz, $4::timestamptz, $5::bigint
FROM unnest($2::jsonb[]) WITH ORDINALITY AS p(payload, ord)
WHERE $5::bigint IS NULL OR EXISTS (SELECT 1 FROM {schema}.pgqrs_workers w WHERE w.id = $5::bigint)
ORDER BY p.ord
RETURNING id, queue_id, NULL, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL::timestamptz;

-- name: message_claim
-- $1 queue, $2 now, $3 limit, $4 lease expiry, $5 max_read_ct, $6 consumer, $7 claim floor (NULL: none).
-- Walks the claim index (queue_id, vt, id) in order from the floor (see src/core/claim_floor.hpp); SKIP LOCKED
-- lets concurrent consumers pass each other. The 11th column is the ready-time (vt before the lease). A
-- consumer whose worker row was deleted (purge_queue) claims nothing (a one-time filter, not per row).
WITH claimable AS (
    SELECT id, vt FROM {schema}.pgqrs_messages
    WHERE queue_id = $1::bigint AND vt >= COALESCE($7::timestamptz, '-infinity') AND vt <= $2::timestamptz
      AND read_ct < $5::int AND EXISTS (SELECT 1 FROM {schema}.pgqrs_workers w WHERE w.id = $6::bigint)
    ORDER BY vt, id
    LIMIT $3::int
    FOR UPDATE SKIP LOCKED
)
UPDATE {schema}.pgqrs_messages m
SET vt = $4::timestamptz, read_ct = m.read_ct + 1, dequeued_at = COALESCE(m.dequeued_at, $2::timestamptz),
    consumer_worker_id = $6::bigint
FROM claimable
WHERE m.id = claimable.id
RETURNING m.id, m.queue_id, m.payload, m.vt, m.enqueued_at, m.read_ct, m.dequeued_at, m.producer_worker_id,
          m.consumer_worker_id, NULL::timestamptz, claimable.vt;

-- name: message_archive
-- $1 ids, $2 owner, $3 now. Moves owned messages to the archive; returns the archived rows.
WITH moved AS (
    DELETE FROM {schema}.pgqrs_messages
    WHERE id = ANY($1::bigint[]) AND consumer_worker_id = $2::bigint
    RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id
)
INSERT INTO {schema}.pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                                    producer_worker_id, consumer_worker_id, archived_at)
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       $3::timestamptz
FROM moved
RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          archived_at;

-- name: message_archive_ids
-- Same as message_archive, returning only the ids (batch acknowledgements do not need the payloads back).
WITH moved AS (
    DELETE FROM {schema}.pgqrs_messages
    WHERE id = ANY($1::bigint[]) AND consumer_worker_id = $2::bigint
    RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id
)
INSERT INTO {schema}.pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                                    producer_worker_id, consumer_worker_id, archived_at)
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       $3::timestamptz
FROM moved
RETURNING id;

-- name: message_delete_owned
DELETE FROM {schema}.pgqrs_messages WHERE id = ANY($1::bigint[]) AND consumer_worker_id = $2::bigint
RETURNING id;

-- name: message_extend
-- $3 microseconds added to the current vt (spec §3.4).
UPDATE {schema}.pgqrs_messages SET vt = vt + $3::bigint * interval '1 microsecond'
WHERE id = ANY($1::bigint[]) AND consumer_worker_id = $2::bigint
RETURNING id;

-- name: message_renew_lease
-- Keeps the leases of running handlers alive: vt becomes at least $3 (never shortens a lease).
UPDATE {schema}.pgqrs_messages SET vt = GREATEST(vt, $3::timestamptz)
WHERE id = ANY($1::bigint[]) AND consumer_worker_id = $2::bigint
RETURNING id;

-- name: message_release
-- $3 becomes the new vt; the owner is cleared; read_ct is kept. Returns id, read_ct: the caller moves released
-- messages that reached max_read_ct to the archive (message_dead_letter_ids).
UPDATE {schema}.pgqrs_messages SET vt = $3::timestamptz, consumer_worker_id = NULL
WHERE id = ANY($1::bigint[]) AND consumer_worker_id = $2::bigint
RETURNING id, read_ct;

-- name: message_release_by_consumer
UPDATE {schema}.pgqrs_messages SET vt = $2::timestamptz, consumer_worker_id = NULL
WHERE consumer_worker_id = $1::bigint
RETURNING id, read_ct;

-- name: message_get
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       NULL::timestamptz
FROM {schema}.pgqrs_messages WHERE id = $1::bigint
UNION ALL
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM {schema}.pgqrs_archive WHERE id = $1::bigint;

-- name: message_get_many
SELECT * FROM (
    SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
           NULL::timestamptz AS archived_at
    FROM {schema}.pgqrs_messages WHERE id = ANY($1::bigint[])
    UNION ALL
    SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
           archived_at
    FROM {schema}.pgqrs_archive WHERE id = ANY($1::bigint[])
) found ORDER BY id;

-- name: message_list
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       NULL::timestamptz
FROM {schema}.pgqrs_messages ORDER BY enqueued_at DESC, id DESC;

-- name: message_list_by_queue
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       NULL::timestamptz
FROM {schema}.pgqrs_messages WHERE queue_id = $1::bigint ORDER BY enqueued_at DESC, id DESC LIMIT $2::int;

-- name: message_list_by_consumer
SELECT * FROM (
    SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
           NULL::timestamptz AS archived_at
    FROM {schema}.pgqrs_messages WHERE consumer_worker_id = $1::bigint
    UNION ALL
    SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
           archived_at
    FROM {schema}.pgqrs_archive WHERE consumer_worker_id = $1::bigint
) held ORDER BY id;

-- name: message_list_archived_by_queue
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       archived_at
FROM {schema}.pgqrs_archive WHERE queue_id = $1::bigint ORDER BY archived_at DESC, id DESC;

-- name: message_count
SELECT count(*) FROM {schema}.pgqrs_messages;

-- name: message_count_by_consumer
SELECT count(*) FROM {schema}.pgqrs_messages WHERE consumer_worker_id = $1::bigint;

-- name: message_count_worker_references
SELECT (SELECT count(*) FROM {schema}.pgqrs_messages
        WHERE producer_worker_id = $1::bigint OR consumer_worker_id = $1::bigint)
     + (SELECT count(*) FROM {schema}.pgqrs_archive
        WHERE producer_worker_id = $1::bigint OR consumer_worker_id = $1::bigint);

-- name: message_count_claimable
-- Ready now: visible, under the read limit (leased-but-expired messages count: they are claimable).
SELECT count(*) FROM {schema}.pgqrs_messages
WHERE queue_id = $1::bigint AND vt <= $2::timestamptz AND read_ct < $3::int;

-- name: message_count_held
-- Messages of the queue whose current owner is the worker and whose lease has not expired.
SELECT count(*) FROM {schema}.pgqrs_messages
WHERE queue_id = $1::bigint AND consumer_worker_id = $2::bigint AND vt > $3::timestamptz;

-- name: message_count_by_queue
SELECT (SELECT count(*) FROM {schema}.pgqrs_messages WHERE queue_id = $1::bigint)
     + (SELECT count(*) FROM {schema}.pgqrs_archive WHERE queue_id = $1::bigint);

-- name: message_update_payload
UPDATE {schema}.pgqrs_messages SET payload = $2::jsonb WHERE id = $1::bigint RETURNING id;

-- name: message_delete_live
-- Unchecked deletes (tables API).
DELETE FROM {schema}.pgqrs_messages WHERE id = ANY($1::bigint[]) RETURNING id;

-- name: message_delete_archived
DELETE FROM {schema}.pgqrs_archive WHERE id = ANY($1::bigint[]) RETURNING id;

-- name: message_list_poison
-- $1 max_read_ct: every poison message of every queue, leased or not (admin dlq()).
SELECT id FROM {schema}.pgqrs_messages WHERE read_ct >= $1::int ORDER BY id;

-- name: message_list_poison_visible
-- $1 queue, $2 now, $3 max_read_ct, $4 rows to look at: the poison messages among the first $4 visible rows
-- of the queue in claim order, i.e. those claims walk over and skip (an expired lease at the read limit, or
-- a released poison message whose move to the archive did not happen). Bounded: it never walks the backlog.
SELECT id FROM (
    SELECT id, read_ct FROM {schema}.pgqrs_messages
    WHERE queue_id = $1::bigint AND vt <= $2::timestamptz
    ORDER BY vt, id
    LIMIT $4::int
) head WHERE read_ct >= $3::int;

-- name: message_dead_letter_ids
-- $1 ids, $2 max_read_ct, $3 now, $4 also while leased. Moves those of the messages that are poison (read
-- limit reached) and, unless $4, not under an unexpired lease, to the archive with dead_lettered_at set. The
-- one statement behind admin dlq() and every automatic dead-lettering (release, reclaim, expired leases). A
-- workflow run whose message this is (its workers kept dying on it) fails with code DEAD_LETTERED, so it does
-- not stay RUNNING forever (a pending cancel becomes CANCELLED); message_replay queues it again.
WITH moved AS (
    DELETE FROM {schema}.pgqrs_messages
    WHERE id = ANY($1::bigint[]) AND read_ct >= $2::int
      AND ($4::bool OR consumer_worker_id IS NULL OR vt <= $3::timestamptz)
    RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id
), failed_runs AS (
    UPDATE {schema}.pgqrs_workflow_runs
    SET status = (CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE 'ERROR' END)::{schema}.pgqrs_workflow_status,
        error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE jsonb_build_object(
            'is_transient', false, 'code', 'DEAD_LETTERED',
            'message', 'its message was delivered ' || $2::int || ' times without the run finishing') END,
        completed_at = $3::timestamptz, updated_at = $3::timestamptz
    WHERE message_id IN (SELECT id FROM moved) AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING')
    RETURNING id
)
INSERT INTO {schema}.pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                                    producer_worker_id, consumer_worker_id, archived_at, dead_lettered_at)
SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
       $3::timestamptz, $3::timestamptz
FROM moved
RETURNING id;

-- name: message_replay
-- $1 archived id, $2 now: back to the live table under the same id, ready now, read count reset (and no longer
-- dead-lettered: dead_lettered_at stays behind with the archive row). A workflow run
-- failed by dead-lettering is queued again (it resumes from its completed steps).
WITH moved AS (
    DELETE FROM {schema}.pgqrs_archive WHERE id = $1::bigint
    RETURNING id, queue_id, payload, producer_worker_id
), requeued_runs AS (
    UPDATE {schema}.pgqrs_workflow_runs
    SET status = 'QUEUED', error = NULL, completed_at = NULL, updated_at = $2::timestamptz
    WHERE message_id IN (SELECT id FROM moved) AND status = 'ERROR' AND error->>'code' = 'DEAD_LETTERED'
    RETURNING id
)
INSERT INTO {schema}.pgqrs_messages (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                                     producer_worker_id, consumer_worker_id)
SELECT id, queue_id, payload, $2::timestamptz, $2::timestamptz, 0, NULL, producer_worker_id, NULL FROM moved
RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
          NULL::timestamptz;
