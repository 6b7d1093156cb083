-- Durable workflow tables (spec §2.6), SQLite family. Timestamps are INTEGER microseconds.

CREATE TABLE pgqrs_workflows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    queue_id    INTEGER NOT NULL REFERENCES pgqrs_queues(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE pgqrs_workflow_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id   INTEGER NOT NULL REFERENCES pgqrs_workflows(id) ON DELETE CASCADE,
    message_id    INTEGER NOT NULL UNIQUE,
    status        TEXT NOT NULL
                  CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCESS', 'ERROR', 'PAUSED', 'CANCELLING', 'CANCELLED')),
    input         TEXT,
    output        TEXT,
    error         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    started_at    INTEGER,
    paused_at     INTEGER,
    completed_at  INTEGER,
    worker_id     INTEGER
);
CREATE INDEX pgqrs_workflow_runs_status_idx ON pgqrs_workflow_runs (status);

CREATE TABLE pgqrs_workflow_steps (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id         INTEGER NOT NULL REFERENCES pgqrs_workflow_runs(id) ON DELETE CASCADE,
    step_name      TEXT NOT NULL,
    status         TEXT NOT NULL
                   CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCESS', 'ERROR', 'PAUSED', 'CANCELLING', 'CANCELLED')),
    input          TEXT,
    output         TEXT,
    error          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    started_at     INTEGER,
    completed_at   INTEGER,
    retry_count    INTEGER NOT NULL DEFAULT 0,
    retry_at       INTEGER,
    last_retry_at  INTEGER,
    UNIQUE (run_id, step_name)
);
CREATE INDEX pgqrs_workflow_steps_status_idx ON pgqrs_workflow_steps (status);
CREATE INDEX pgqrs_workflow_steps_retry_idx ON pgqrs_workflow_steps (retry_at) WHERE retry_at IS NOT NULL;
