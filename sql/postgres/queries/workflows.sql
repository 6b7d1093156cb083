-- Durable workflows (spec §7). Result columns:
--   workflow: id, name, queue_id, created_at
--   run:      id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
--             paused_at, completed_at, worker_id, trigger_key
--   step:     id, run_id, step_name, status, output, error, created_at, updated_at, started_at, completed_at,
--             retry_count, retry_at
-- Fencing: a worker writes a step or run result only inside a transaction whose first statement is
-- run_fence, which locks the run's message row (FOR SHARE) and checks that this worker's lease on it is the
-- current one (owner and read_ct, which every claim increments). A worker whose lease was taken over finds
-- no row and writes nothing; a claim racing with the write waits for it (SKIP LOCKED skips the row).

-- name: workflow_insert
INSERT INTO {schema}.pgqrs_workflows (name, queue_id, created_at)
VALUES ($1::text, $2::bigint, $3::timestamptz)
ON CONFLICT (name) DO NOTHING
RETURNING id, name, queue_id, created_at;

-- name: workflow_get_by_name
SELECT id, name, queue_id, created_at FROM {schema}.pgqrs_workflows WHERE name = $1::text;

-- name: workflow_get_by_queue
SELECT id, name, queue_id, created_at FROM {schema}.pgqrs_workflows WHERE queue_id = $1::bigint;

-- name: workflow_list
SELECT id, name, queue_id, created_at FROM {schema}.pgqrs_workflows ORDER BY id;

-- name: run_insert
-- $1 workflow, $2 message, $3 input, $4 now, $5 key (NULL: none). Nothing when the message already has a
-- run or the key is taken.
INSERT INTO {schema}.pgqrs_workflow_runs (workflow_id, message_id, status, input, created_at, updated_at,
                                          trigger_key)
VALUES ($1::bigint, $2::bigint, 'QUEUED', $3::jsonb, $4::timestamptz, $4::timestamptz, $5::text)
ON CONFLICT DO NOTHING
RETURNING id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_start
-- Claim time: $1 workflow, $2 message (leased by $4), $3 now. Creates the run RUNNING from the message
-- payload, or moves QUEUED/PAUSED to RUNNING; a RUNNING run (resumed after a crash) stays RUNNING; other
-- states are returned unchanged for the caller to act on.
INSERT INTO {schema}.pgqrs_workflow_runs AS r (workflow_id, message_id, status, input, created_at, updated_at,
                                               started_at, worker_id)
SELECT $1::bigint, m.id, 'RUNNING', m.payload, $3::timestamptz, $3::timestamptz, $3::timestamptz, $4::bigint
FROM {schema}.pgqrs_messages m WHERE m.id = $2::bigint
ON CONFLICT (message_id) DO UPDATE SET
    status = CASE WHEN r.status IN ('QUEUED', 'PAUSED') THEN 'RUNNING' ELSE r.status END,
    started_at = COALESCE(r.started_at, EXCLUDED.started_at),
    updated_at = EXCLUDED.updated_at,
    worker_id = CASE WHEN r.status IN ('QUEUED', 'PAUSED', 'RUNNING') THEN EXCLUDED.worker_id ELSE r.worker_id END
RETURNING id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_claim
-- Dialects with data-modifying CTEs (capability data_modifying_ctes) claim, start and read a run in one
-- statement: message_claim for one message ($1 queue, $2 now, $3 lease expiry, $4 max_read_ct, $5 worker,
-- $6 claim floor), run_start ($7 workflow), and the run's steps, one row per step (step columns NULL when
-- it has none). Columns: the 10 message columns, the ready-time, the 14 run columns, the 12 step columns.
-- The steps come from the statement's snapshot: those of a resumed run were committed before it.
WITH claimable AS (
    SELECT id, vt FROM {schema}.pgqrs_messages
    WHERE queue_id = $1::bigint AND vt >= COALESCE($6::timestamptz, '-infinity') AND vt <= $2::timestamptz
      AND read_ct < $4::int AND EXISTS (SELECT 1 FROM {schema}.pgqrs_workers w WHERE w.id = $5::bigint)
    ORDER BY vt, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE {schema}.pgqrs_messages m
    SET vt = $3::timestamptz, read_ct = m.read_ct + 1, dequeued_at = COALESCE(m.dequeued_at, $2::timestamptz),
        consumer_worker_id = $5::bigint
    FROM claimable
    WHERE m.id = claimable.id
    RETURNING m.id, m.queue_id, m.payload, m.vt, m.enqueued_at, m.read_ct, m.dequeued_at, m.producer_worker_id,
              m.consumer_worker_id, claimable.vt AS ready_vt
), started AS (
    INSERT INTO {schema}.pgqrs_workflow_runs AS r (workflow_id, message_id, status, input, created_at, updated_at,
                                                   started_at, worker_id)
    SELECT $7::bigint, c.id, 'RUNNING', c.payload, $2::timestamptz, $2::timestamptz, $2::timestamptz, $5::bigint
    FROM claimed c
    ON CONFLICT (message_id) DO UPDATE SET
        status = CASE WHEN r.status IN ('QUEUED', 'PAUSED') THEN 'RUNNING' ELSE r.status END,
        started_at = COALESCE(r.started_at, EXCLUDED.started_at),
        updated_at = EXCLUDED.updated_at,
        worker_id = CASE WHEN r.status IN ('QUEUED', 'PAUSED', 'RUNNING') THEN EXCLUDED.worker_id ELSE r.worker_id END
    RETURNING r.id, r.workflow_id, r.message_id, r.status, r.input, r.output, r.error, r.created_at, r.updated_at,
              r.started_at, r.paused_at, r.completed_at, r.worker_id, r.trigger_key
)
SELECT c.id, c.queue_id, c.payload, c.vt, c.enqueued_at, c.read_ct, c.dequeued_at, c.producer_worker_id,
       c.consumer_worker_id, NULL::timestamptz, c.ready_vt,
       s.id, s.workflow_id, s.message_id, s.status::text, s.input, s.output, s.error, s.created_at, s.updated_at,
       s.started_at, s.paused_at, s.completed_at, s.worker_id, s.trigger_key,
       st.id, st.run_id, st.step_name, st.status::text, st.output, st.error, st.created_at, st.updated_at,
       st.started_at, st.completed_at, st.retry_count, st.retry_at
FROM claimed c
JOIN started s ON s.message_id = c.id
LEFT JOIN {schema}.pgqrs_workflow_steps st ON st.run_id = s.id
ORDER BY st.id;

-- name: run_get
SELECT id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM {schema}.pgqrs_workflow_runs WHERE id = $1::bigint;

-- name: run_get_by_message
SELECT id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM {schema}.pgqrs_workflow_runs WHERE message_id = $1::bigint;

-- name: run_get_by_key
SELECT id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM {schema}.pgqrs_workflow_runs WHERE workflow_id = $1::bigint AND trigger_key = $2::text;

-- name: run_list
-- $1 workflow (NULL: all), $2 status (NULL: all), $3 created at or after, $4 created before, $5 limit.
SELECT id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM {schema}.pgqrs_workflow_runs
WHERE ($1::bigint IS NULL OR workflow_id = $1::bigint) AND ($2::text IS NULL OR status::text = $2::text)
  AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz)
  AND ($4::timestamptz IS NULL OR created_at < $4::timestamptz)
ORDER BY created_at DESC, id DESC
LIMIT $5::bigint;

-- name: run_fence
-- $1 message, $2 worker, $3 read_ct of the lease. Returns the run's status, or nothing if the lease is not
-- this worker's any more.
SELECT r.status::text
FROM {schema}.pgqrs_messages m JOIN {schema}.pgqrs_workflow_runs r ON r.message_id = m.id
WHERE m.id = $1::bigint AND m.consumer_worker_id = $2::bigint AND m.read_ct = $3::int
FOR SHARE OF m;

-- name: run_finish
-- $1 run, $2 SUCCESS | ERROR | CANCELLED, $3 output, $4 error, $5 now. A cancel requested meanwhile wins
-- (CANCELLING becomes CANCELLED, the output is dropped); a finished run is never overwritten.
UPDATE {schema}.pgqrs_workflow_runs
SET status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED'
                  ELSE $2::text::{schema}.pgqrs_workflow_status END,
    output = CASE WHEN status = 'CANCELLING' THEN NULL ELSE $3::jsonb END,
    error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE $4::jsonb END,
    completed_at = $5::timestamptz, updated_at = $5::timestamptz
WHERE id = $1::bigint AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING')
RETURNING id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_cancel
-- $1 run, $2 now. QUEUED/RUNNING/PAUSED -> CANCELLING.
UPDATE {schema}.pgqrs_workflow_runs SET status = 'CANCELLING', updated_at = $2::timestamptz
WHERE id = $1::bigint AND status IN ('QUEUED', 'RUNNING', 'PAUSED')
RETURNING id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_wake
-- $1 message, $2 now: a waiting run's message (released, invisible until later) becomes visible now, and its
-- pending step retries are due now.
WITH woken AS (
    UPDATE {schema}.pgqrs_messages SET vt = $2::timestamptz
    WHERE id = $1::bigint AND consumer_worker_id IS NULL AND vt > $2::timestamptz
    RETURNING id
), due AS (
    UPDATE {schema}.pgqrs_workflow_steps s SET retry_at = $2::timestamptz
    FROM {schema}.pgqrs_workflow_runs r
    WHERE r.message_id = $1::bigint AND s.run_id = r.id AND s.status = 'ERROR' AND s.retry_at > $2::timestamptz
      AND EXISTS (SELECT 1 FROM woken)
    RETURNING s.id
)
SELECT id FROM woken;

-- name: run_release
-- $1 message, $2 worker, $3 read_ct of the lease, $4 visible again at. A scheduled wait (retry, sleep, pause)
-- gives the delivery back: read_ct is decremented, so waiting never counts toward max_read_ct.
UPDATE {schema}.pgqrs_messages
SET vt = $4::timestamptz, consumer_worker_id = NULL, read_ct = GREATEST(read_ct - 1, 0)
WHERE id = $1::bigint AND consumer_worker_id = $2::bigint AND read_ct = $3::int
RETURNING id;

-- name: step_list
SELECT id, run_id, step_name, status::text, output, error, created_at, updated_at, started_at, completed_at,
       retry_count, retry_at
FROM {schema}.pgqrs_workflow_steps WHERE run_id = $1::bigint ORDER BY id;

-- name: step_save
-- $1 run, $2 step name, $3 status, $4 output, $5 error, $6 started at, $7 now, $8 completed at, $9 retry_count,
-- $10 retry_at. One row per (run, step): inserted on the first result, updated by retries.
INSERT INTO {schema}.pgqrs_workflow_steps AS s (run_id, step_name, status, output, error, created_at, updated_at,
                                                started_at, completed_at, retry_count, retry_at)
VALUES ($1::bigint, $2::text, $3::text::{schema}.pgqrs_workflow_status, $4::jsonb, $5::jsonb, $7::timestamptz,
        $7::timestamptz, $6::timestamptz, $8::timestamptz, $9::int, $10::timestamptz)
ON CONFLICT (run_id, step_name) DO UPDATE SET
    status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error, updated_at = EXCLUDED.updated_at,
    completed_at = EXCLUDED.completed_at, retry_count = EXCLUDED.retry_count, retry_at = EXCLUDED.retry_at,
    last_retry_at = CASE WHEN s.status = 'ERROR' THEN EXCLUDED.started_at ELSE s.last_retry_at END
RETURNING id, run_id, step_name, status::text, output, error, created_at, updated_at, started_at, completed_at,
          retry_count, retry_at;

-- name: run_mark_started
-- $1 run, $2 now: the original's start_run for callers outside a worker. QUEUED/PAUSED -> RUNNING (started_at
-- set when first started); RUNNING unchanged; nothing for other states.
UPDATE {schema}.pgqrs_workflow_runs
SET status = 'RUNNING', started_at = COALESCE(started_at, $2::timestamptz),
    updated_at = CASE WHEN status = 'RUNNING' THEN updated_at ELSE $2::timestamptz END
WHERE id = $1::bigint AND status IN ('QUEUED', 'PAUSED', 'RUNNING')
RETURNING id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- fragment: step_checkpoint_ctes
-- The fence and the step row of every checkpoint of an executing run: step_save's columns $1..$10, then $11
-- message, $12 worker, $13 read_ct of the lease, $14: write the step even if a cancel is pending (a finished
-- step is recorded; a wait is not).
fence AS (
    SELECT r.status
    FROM {schema}.pgqrs_messages m JOIN {schema}.pgqrs_workflow_runs r ON r.message_id = m.id
    WHERE m.id = $11::bigint AND m.consumer_worker_id = $12::bigint AND m.read_ct = $13::int
    FOR SHARE OF m
), saved AS (
    INSERT INTO {schema}.pgqrs_workflow_steps AS s (run_id, step_name, status, output, error, created_at,
                                                    updated_at, started_at, completed_at, retry_count, retry_at)
    SELECT $1::bigint, $2::text, $3::text::{schema}.pgqrs_workflow_status, $4::jsonb, $5::jsonb, $7::timestamptz,
           $7::timestamptz, $6::timestamptz, $8::timestamptz, $9::int, $10::timestamptz
    FROM fence WHERE fence.status IN ('QUEUED', 'RUNNING', 'PAUSED') OR (fence.status = 'CANCELLING' AND $14::bool)
    ON CONFLICT (run_id, step_name) DO UPDATE SET
        status = EXCLUDED.status, output = EXCLUDED.output, error = EXCLUDED.error,
        updated_at = EXCLUDED.updated_at, completed_at = EXCLUDED.completed_at,
        retry_count = EXCLUDED.retry_count, retry_at = EXCLUDED.retry_at,
        last_retry_at = CASE WHEN s.status = 'ERROR' THEN EXCLUDED.started_at ELSE s.last_retry_at END
    RETURNING s.id
)

-- name: step_checkpoint
-- One statement (one round trip, one commit) for a checkpoint that neither waits nor pauses: the fence and
-- the step row ($1..$14 as step_checkpoint_ctes). Returns the run's status as the fence saw it, or nothing
-- when the lease is lost (then nothing was written). The caller finalises a pending cancel.
WITH
{fragment:step_checkpoint_ctes}
SELECT status::text FROM fence;

-- name: step_checkpoint_wait
-- step_checkpoint for a wait (retry, sleep, pause): also the message released until $15 and, for a pause
-- ($16: its error), the run paused. Same result as step_checkpoint.
WITH
{fragment:step_checkpoint_ctes}, live AS (
    SELECT 1 FROM fence WHERE status IN ('QUEUED', 'RUNNING', 'PAUSED')
), paused AS (
    UPDATE {schema}.pgqrs_workflow_runs
    SET status = 'PAUSED', error = $16::jsonb, paused_at = $7::timestamptz, updated_at = $7::timestamptz
    WHERE id = $1::bigint AND $16::jsonb IS NOT NULL AND status = 'RUNNING' AND EXISTS (SELECT 1 FROM live)
    RETURNING id
), released AS (
    UPDATE {schema}.pgqrs_messages
    SET vt = $15::timestamptz, consumer_worker_id = NULL, read_ct = GREATEST(read_ct - 1, 0)
    WHERE id = $11::bigint AND $15::timestamptz IS NOT NULL AND EXISTS (SELECT 1 FROM live)
    RETURNING id
)
SELECT status::text FROM fence;

-- fragment: run_complete_ctes
-- The end of an execution, shared by run_complete and run_complete_claim: the fence (this worker's claim of
-- message $6 with read_ct $8, locked FOR SHARE), the run $1 finished ($2 SUCCESS | ERROR, $3 output, $4
-- error, $5 now; a pending cancel wins; a finished run is left as it is) and its message archived.
fence AS (
    SELECT r.status
    FROM {schema}.pgqrs_messages m JOIN {schema}.pgqrs_workflow_runs r ON r.message_id = m.id
    WHERE m.id = $6::bigint AND m.consumer_worker_id = $7::bigint AND m.read_ct = $8::int
    FOR SHARE OF m
), finished AS (
    UPDATE {schema}.pgqrs_workflow_runs
    SET status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED'
                      ELSE $2::text::{schema}.pgqrs_workflow_status END,
        output = CASE WHEN status = 'CANCELLING' THEN NULL ELSE $3::jsonb END,
        error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE $4::jsonb END,
        completed_at = $5::timestamptz, updated_at = $5::timestamptz
    WHERE id = $1::bigint AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING') AND EXISTS (SELECT 1 FROM fence)
    RETURNING id
), moved AS (
    DELETE FROM {schema}.pgqrs_messages WHERE id = $6::bigint AND EXISTS (SELECT 1 FROM fence)
    RETURNING id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id
), archived AS (
    INSERT INTO {schema}.pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at,
                                        producer_worker_id, consumer_worker_id, archived_at)
    SELECT id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id,
           $5::timestamptz
    FROM moved
    RETURNING id
)

-- name: run_complete
-- One statement for the end of an execution: the fence, the run finished ($2 SUCCESS | ERROR, $3 output,
-- $4 error, $5 now; a pending cancel wins; a finished run is left as it is) and its message archived.
-- $6 message, $7 worker, $8 read_ct. Returns the run's status before, or nothing when the lease is lost.
WITH
{fragment:run_complete_ctes}
SELECT status::text FROM fence;

-- name: run_complete_claim
-- run_complete and the worker's next run_claim in one statement, so a worker that goes straight on to its
-- next run spends one commit per run fewer: $1..$8 as run_complete ($5 is also the claim's now, $7 the
-- worker); $9 queue, $10 lease expiry, $11 max_read_ct, $12 claim floor, $13 workflow as run_claim. One row
-- per step of the claimed run, in run_claim's columns (all NULL when no run was ready), then the completed
-- run's status before (NULL when its lease was lost: nothing of it was written).
WITH
{fragment:run_complete_ctes}, claimable AS (
    -- Never the message being archived (its lease may have run out unclaimed: it is ours to finish).
    SELECT id, vt FROM {schema}.pgqrs_messages
    WHERE queue_id = $9::bigint AND id <> $6::bigint AND vt >= COALESCE($12::timestamptz, '-infinity')
      AND vt <= $5::timestamptz AND read_ct < $11::int
      AND EXISTS (SELECT 1 FROM {schema}.pgqrs_workers w WHERE w.id = $7::bigint)
    ORDER BY vt, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE {schema}.pgqrs_messages m
    SET vt = $10::timestamptz, read_ct = m.read_ct + 1, dequeued_at = COALESCE(m.dequeued_at, $5::timestamptz),
        consumer_worker_id = $7::bigint
    FROM claimable
    WHERE m.id = claimable.id
    RETURNING m.id, m.queue_id, m.payload, m.vt, m.enqueued_at, m.read_ct, m.dequeued_at, m.producer_worker_id,
              m.consumer_worker_id, claimable.vt AS ready_vt
), started AS (
    INSERT INTO {schema}.pgqrs_workflow_runs AS r (workflow_id, message_id, status, input, created_at, updated_at,
                                                   started_at, worker_id)
    SELECT $13::bigint, c.id, 'RUNNING', c.payload, $5::timestamptz, $5::timestamptz, $5::timestamptz, $7::bigint
    FROM claimed c
    ON CONFLICT (message_id) DO UPDATE SET
        status = CASE WHEN r.status IN ('QUEUED', 'PAUSED') THEN 'RUNNING' ELSE r.status END,
        started_at = COALESCE(r.started_at, EXCLUDED.started_at),
        updated_at = EXCLUDED.updated_at,
        worker_id = CASE WHEN r.status IN ('QUEUED', 'PAUSED', 'RUNNING') THEN EXCLUDED.worker_id ELSE r.worker_id END
    RETURNING r.id, r.workflow_id, r.message_id, r.status, r.input, r.output, r.error, r.created_at, r.updated_at,
              r.started_at, r.paused_at, r.completed_at, r.worker_id, r.trigger_key
)
SELECT n.*, (SELECT status::text FROM fence)
FROM (SELECT 1) one
LEFT JOIN (
    SELECT c.id, c.queue_id, c.payload, c.vt, c.enqueued_at, c.read_ct, c.dequeued_at, c.producer_worker_id,
           c.consumer_worker_id, NULL::timestamptz, c.ready_vt,
           s.id, s.workflow_id, s.message_id, s.status::text, s.input, s.output, s.error, s.created_at, s.updated_at,
           s.started_at, s.paused_at, s.completed_at, s.worker_id, s.trigger_key,
           st.id AS step_id, st.run_id, st.step_name, st.status::text, st.output, st.error, st.created_at, st.updated_at,
           st.started_at, st.completed_at, st.retry_count, st.retry_at
    FROM claimed c
    JOIN started s ON s.message_id = c.id
    LEFT JOIN {schema}.pgqrs_workflow_steps st ON st.run_id = s.id
) n ON true
ORDER BY n.step_id;

-- The original's step API from outside a worker (step_builder, the Python Run/StepGuard): no fence.

-- name: step_acquire
-- $1 run, $2 step name, $3 now. A new step is RUNNING; an existing RUNNING one has its start refreshed;
-- SUCCESS and ERROR rows are returned as they are (the caller decides).
INSERT INTO {schema}.pgqrs_workflow_steps AS s (run_id, step_name, status, created_at, updated_at, started_at,
                                                retry_count)
VALUES ($1::bigint, $2::text, 'RUNNING', $3::timestamptz, $3::timestamptz, $3::timestamptz, 0)
ON CONFLICT (run_id, step_name) DO UPDATE SET
    started_at = CASE WHEN s.status = 'RUNNING' THEN EXCLUDED.started_at ELSE s.started_at END,
    updated_at = CASE WHEN s.status = 'RUNNING' THEN EXCLUDED.updated_at ELSE s.updated_at END
RETURNING id, run_id, step_name, status::text, output, error, created_at, updated_at, started_at, completed_at,
          retry_count, retry_at;

-- name: step_get
SELECT id, run_id, step_name, status::text, output, error, created_at, updated_at, started_at, completed_at,
       retry_count, retry_at
FROM {schema}.pgqrs_workflow_steps WHERE run_id = $1::bigint AND step_name = $2::text;

-- name: step_clear_retry
-- $1 step id, $2 now: a failed step whose retry is due runs again (retry_count is kept).
UPDATE {schema}.pgqrs_workflow_steps
SET status = 'RUNNING', retry_at = NULL, error = NULL, started_at = $2::timestamptz, updated_at = $2::timestamptz
WHERE id = $1::bigint
RETURNING id, run_id, step_name, status::text, output, error, created_at, updated_at, started_at, completed_at,
          retry_count, retry_at;

-- name: run_pause
-- $1 run, $2 error ({"message", "resume_after"}), $3 now. A finished or cancelling run is left alone.
UPDATE {schema}.pgqrs_workflow_runs
SET status = 'PAUSED', error = $2::jsonb, paused_at = $3::timestamptz, updated_at = $3::timestamptz
WHERE id = $1::bigint AND status IN ('QUEUED', 'RUNNING', 'PAUSED')
RETURNING id, workflow_id, message_id, status::text, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;
