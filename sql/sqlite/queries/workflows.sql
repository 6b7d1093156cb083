-- Durable workflows, SQLite family: the same queries, names and parameter positions as
-- sql/postgres/queries/workflows.sql (read the comments there). Every write runs inside BEGIN IMMEDIATE, so
-- run_fence's check holds until the transaction commits without a row lock.

-- name: workflow_insert
INSERT INTO pgqrs_workflows (name, queue_id, created_at) VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO NOTHING
RETURNING id, name, queue_id, created_at;

-- name: workflow_get_by_name
SELECT id, name, queue_id, created_at FROM pgqrs_workflows WHERE name = ?1;

-- name: workflow_get_by_queue
SELECT id, name, queue_id, created_at FROM pgqrs_workflows WHERE queue_id = ?1;

-- name: workflow_list
SELECT id, name, queue_id, created_at FROM pgqrs_workflows ORDER BY id;

-- name: run_insert
INSERT INTO pgqrs_workflow_runs (workflow_id, message_id, status, input, created_at, updated_at, trigger_key)
VALUES (?1, ?2, 'QUEUED', ?3, ?4, ?4, ?5)
ON CONFLICT DO NOTHING
RETURNING id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_start
INSERT INTO pgqrs_workflow_runs AS r (workflow_id, message_id, status, input, created_at, updated_at, started_at,
                                      worker_id)
SELECT ?1, m.id, 'RUNNING', m.payload, ?3, ?3, ?3, ?4 FROM pgqrs_messages m WHERE m.id = ?2 AND m.archived_at IS NULL
ON CONFLICT (message_id) DO UPDATE SET
    status = CASE WHEN r.status IN ('QUEUED', 'PAUSED') THEN 'RUNNING' ELSE r.status END,
    started_at = COALESCE(r.started_at, excluded.started_at),
    updated_at = excluded.updated_at,
    worker_id = CASE WHEN r.status IN ('QUEUED', 'PAUSED', 'RUNNING') THEN excluded.worker_id ELSE r.worker_id END
RETURNING id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_get
SELECT id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM pgqrs_workflow_runs WHERE id = ?1;

-- name: run_get_by_message
SELECT id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM pgqrs_workflow_runs WHERE message_id = ?1;

-- name: run_get_by_key
SELECT id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM pgqrs_workflow_runs WHERE workflow_id = ?1 AND trigger_key = ?2;

-- name: run_list
SELECT id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
       paused_at, completed_at, worker_id, trigger_key
FROM pgqrs_workflow_runs
WHERE (?1 IS NULL OR workflow_id = ?1) AND (?2 IS NULL OR status = ?2)
  AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at < ?4)
ORDER BY created_at DESC, id DESC
LIMIT ?5;

-- name: run_fence
SELECT r.status
FROM pgqrs_messages m JOIN pgqrs_workflow_runs r ON r.message_id = m.id
WHERE m.id = ?1 AND m.consumer_worker_id = ?2 AND m.read_ct = ?3 AND m.archived_at IS NULL;

-- name: run_finish
UPDATE pgqrs_workflow_runs
SET status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE ?2 END,
    output = CASE WHEN status = 'CANCELLING' THEN NULL ELSE ?3 END,
    error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE ?4 END,
    completed_at = ?5, updated_at = ?5
WHERE id = ?1 AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING')
RETURNING id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_cancel
UPDATE pgqrs_workflow_runs SET status = 'CANCELLING', updated_at = ?2
WHERE id = ?1 AND status IN ('QUEUED', 'RUNNING', 'PAUSED')
RETURNING id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- name: run_wake
-- Two statements in one transaction: changes() in the second is the number of messages the first woke.
UPDATE pgqrs_messages SET vt = ?2 WHERE id = ?1 AND archived_at IS NULL AND consumer_worker_id IS NULL AND vt > ?2
RETURNING id;
UPDATE pgqrs_workflow_steps SET retry_at = ?2
WHERE changes() > 0 AND status = 'ERROR' AND retry_at > ?2
  AND run_id IN (SELECT id FROM pgqrs_workflow_runs WHERE message_id = ?1);

-- name: run_release
UPDATE pgqrs_messages SET vt = ?4, consumer_worker_id = NULL, read_ct = max(read_ct - 1, 0)
WHERE id = ?1 AND consumer_worker_id = ?2 AND read_ct = ?3 AND archived_at IS NULL
RETURNING id;

-- name: step_list
SELECT id, run_id, step_name, status, output, error, created_at, updated_at, started_at, completed_at,
       retry_count, retry_at
FROM pgqrs_workflow_steps WHERE run_id = ?1 ORDER BY id;

-- name: step_save
INSERT INTO pgqrs_workflow_steps AS s (run_id, step_name, status, output, error, created_at, updated_at,
                                       started_at, completed_at, retry_count, retry_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?7, ?6, ?8, ?9, ?10)
ON CONFLICT (run_id, step_name) DO UPDATE SET
    status = excluded.status, output = excluded.output, error = excluded.error, updated_at = excluded.updated_at,
    completed_at = excluded.completed_at, retry_count = excluded.retry_count, retry_at = excluded.retry_at,
    last_retry_at = CASE WHEN s.status = 'ERROR' THEN excluded.started_at ELSE s.last_retry_at END
RETURNING id, run_id, step_name, status, output, error, created_at, updated_at, started_at, completed_at,
          retry_count, retry_at;

-- name: run_mark_started
UPDATE pgqrs_workflow_runs
SET status = 'RUNNING', started_at = COALESCE(started_at, ?2),
    updated_at = CASE WHEN status = 'RUNNING' THEN updated_at ELSE ?2 END
WHERE id = ?1 AND status IN ('QUEUED', 'PAUSED', 'RUNNING')
RETURNING id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;

-- fragment: step_checkpoint_statements
-- The fence (its row is the result) and the step row; ?11 message, ?12 worker, ?13 read_ct of the lease, ?14:
-- write the step even if a cancel is pending. Each later statement repeats the fence condition.
SELECT r.status
FROM pgqrs_messages m JOIN pgqrs_workflow_runs r ON r.message_id = m.id
WHERE m.id = ?11 AND m.consumer_worker_id = ?12 AND m.read_ct = ?13 AND m.archived_at IS NULL;
INSERT INTO pgqrs_workflow_steps AS s (run_id, step_name, status, output, error, created_at, updated_at,
                                       started_at, completed_at, retry_count, retry_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?7, ?7, ?6, ?8, ?9, ?10
WHERE EXISTS (SELECT 1 FROM pgqrs_messages m JOIN pgqrs_workflow_runs r ON r.message_id = m.id
              WHERE m.id = ?11 AND m.consumer_worker_id = ?12 AND m.read_ct = ?13 AND m.archived_at IS NULL
                AND (r.status IN ('QUEUED', 'RUNNING', 'PAUSED') OR (r.status = 'CANCELLING' AND ?14)))
ON CONFLICT (run_id, step_name) DO UPDATE SET
    status = excluded.status, output = excluded.output, error = excluded.error, updated_at = excluded.updated_at,
    completed_at = excluded.completed_at, retry_count = excluded.retry_count, retry_at = excluded.retry_at,
    last_retry_at = CASE WHEN s.status = 'ERROR' THEN excluded.started_at ELSE s.last_retry_at END;

-- name: step_checkpoint
-- Statements of one BEGIN IMMEDIATE transaction, for a checkpoint that neither waits nor pauses.
{fragment:step_checkpoint_statements}

-- name: step_checkpoint_wait
-- step_checkpoint, then the run paused (?16: its error) and the message released until ?15, which comes last.
{fragment:step_checkpoint_statements}
UPDATE pgqrs_workflow_runs SET status = 'PAUSED', error = ?16, paused_at = ?7, updated_at = ?7
WHERE id = ?1 AND ?16 IS NOT NULL AND status = 'RUNNING'
  AND EXISTS (SELECT 1 FROM pgqrs_messages m
              WHERE m.id = ?11 AND m.consumer_worker_id = ?12 AND m.read_ct = ?13 AND m.archived_at IS NULL);
UPDATE pgqrs_messages SET vt = ?15, consumer_worker_id = NULL, read_ct = max(read_ct - 1, 0)
WHERE id = ?11 AND consumer_worker_id = ?12 AND read_ct = ?13 AND archived_at IS NULL AND ?15 IS NOT NULL
  AND EXISTS (SELECT 1 FROM pgqrs_workflow_runs r
              WHERE r.message_id = ?11 AND r.status IN ('QUEUED', 'RUNNING', 'PAUSED'));

-- name: run_complete
SELECT r.status
FROM pgqrs_messages m JOIN pgqrs_workflow_runs r ON r.message_id = m.id
WHERE m.id = ?6 AND m.consumer_worker_id = ?7 AND m.read_ct = ?8 AND m.archived_at IS NULL;
UPDATE pgqrs_workflow_runs
SET status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE ?2 END,
    output = CASE WHEN status = 'CANCELLING' THEN NULL ELSE ?3 END,
    error = CASE WHEN status = 'CANCELLING' THEN NULL ELSE ?4 END,
    completed_at = ?5, updated_at = ?5
WHERE id = ?1 AND status IN ('QUEUED', 'RUNNING', 'PAUSED', 'CANCELLING')
  AND EXISTS (SELECT 1 FROM pgqrs_messages m WHERE m.id = ?6 AND m.consumer_worker_id = ?7 AND m.read_ct = ?8 AND m.archived_at IS NULL);
UPDATE pgqrs_messages SET archived_at = ?5
WHERE id = ?6 AND consumer_worker_id = ?7 AND read_ct = ?8 AND archived_at IS NULL;

-- name: step_acquire
INSERT INTO pgqrs_workflow_steps AS s (run_id, step_name, status, created_at, updated_at, started_at, retry_count)
VALUES (?1, ?2, 'RUNNING', ?3, ?3, ?3, 0)
ON CONFLICT (run_id, step_name) DO UPDATE SET
    started_at = CASE WHEN s.status = 'RUNNING' THEN excluded.started_at ELSE s.started_at END,
    updated_at = CASE WHEN s.status = 'RUNNING' THEN excluded.updated_at ELSE s.updated_at END
RETURNING id, run_id, step_name, status, output, error, created_at, updated_at, started_at, completed_at,
          retry_count, retry_at;

-- name: step_get
SELECT id, run_id, step_name, status, output, error, created_at, updated_at, started_at, completed_at,
       retry_count, retry_at
FROM pgqrs_workflow_steps WHERE run_id = ?1 AND step_name = ?2;

-- name: step_clear_retry
UPDATE pgqrs_workflow_steps SET status = 'RUNNING', retry_at = NULL, error = NULL, started_at = ?2, updated_at = ?2
WHERE id = ?1
RETURNING id, run_id, step_name, status, output, error, created_at, updated_at, started_at, completed_at,
          retry_count, retry_at;

-- name: run_pause
UPDATE pgqrs_workflow_runs SET status = 'PAUSED', error = ?2, paused_at = ?3, updated_at = ?3
WHERE id = ?1 AND status IN ('QUEUED', 'RUNNING', 'PAUSED')
RETURNING id, workflow_id, message_id, status, input, output, error, created_at, updated_at, started_at,
          paused_at, completed_at, worker_id, trigger_key;
