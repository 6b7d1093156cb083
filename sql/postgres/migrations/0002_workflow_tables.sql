-- Durable workflow tables (spec §2.6). Differences from the original: a run's message_id is UNIQUE but not a
-- foreign key, because acknowledged messages move to pgqrs_archive.

CREATE TYPE {schema}.pgqrs_workflow_status AS ENUM
    ('QUEUED', 'RUNNING', 'SUCCESS', 'ERROR', 'PAUSED', 'CANCELLING', 'CANCELLED');

CREATE TABLE {schema}.pgqrs_workflows (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    queue_id    BIGINT NOT NULL REFERENCES {schema}.pgqrs_queues(id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE {schema}.pgqrs_workflow_runs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workflow_id   BIGINT NOT NULL REFERENCES {schema}.pgqrs_workflows(id) ON DELETE CASCADE,
    message_id    BIGINT NOT NULL UNIQUE,
    status        {schema}.pgqrs_workflow_status NOT NULL,
    input         JSONB,
    output        JSONB,
    error         JSONB,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at    TIMESTAMPTZ,
    paused_at     TIMESTAMPTZ,
    completed_at  TIMESTAMPTZ,
    worker_id     BIGINT
);
CREATE INDEX pgqrs_workflow_runs_status_idx ON {schema}.pgqrs_workflow_runs (status);

CREATE TABLE {schema}.pgqrs_workflow_steps (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         BIGINT NOT NULL REFERENCES {schema}.pgqrs_workflow_runs(id) ON DELETE CASCADE,
    step_name      TEXT NOT NULL,
    status         {schema}.pgqrs_workflow_status NOT NULL,
    input          JSONB,
    output         JSONB,
    error          JSONB,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at     TIMESTAMPTZ,
    completed_at   TIMESTAMPTZ,
    retry_count    INTEGER NOT NULL DEFAULT 0,
    retry_at       TIMESTAMPTZ,
    last_retry_at  TIMESTAMPTZ,
    UNIQUE (run_id, step_name)
);
CREATE INDEX pgqrs_workflow_steps_status_idx ON {schema}.pgqrs_workflow_steps (status);
CREATE INDEX pgqrs_workflow_steps_retry_idx ON {schema}.pgqrs_workflow_steps (retry_at) WHERE retry_at IS NOT NULL;
