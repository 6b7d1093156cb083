-- Migration bookkeeping and verify(). install() runs all of this in one transaction under an advisory lock.

-- name: install_lock
SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('pgqrs_install:' || $1::text))) AS locked;

-- name: schema_exists
SELECT count(*) FROM pg_namespace WHERE nspname = $1::text;

-- name: schema_create
CREATE SCHEMA {schema};

-- name: schema_version_create
CREATE TABLE IF NOT EXISTS {schema}.pgqrs_schema_version (
    version      INTEGER PRIMARY KEY,
    description  TEXT NOT NULL,
    applied_at   TIMESTAMPTZ NOT NULL
);

-- name: schema_version_list
SELECT version::bigint, description, applied_at FROM {schema}.pgqrs_schema_version ORDER BY version;

-- name: schema_version_insert
INSERT INTO {schema}.pgqrs_schema_version (version, description, applied_at)
VALUES ($1::int, $2::text, $3::timestamptz);

-- name: table_exists
SELECT count(*) FROM information_schema.tables WHERE table_schema = $1::text AND table_name = $2::text;

-- name: verify_orphan_queue_refs
SELECT (SELECT count(*) FROM {schema}.pgqrs_messages m
        WHERE NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_queues q WHERE q.id = m.queue_id))
     + (SELECT count(*) FROM {schema}.pgqrs_archive a
        WHERE NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_queues q WHERE q.id = a.queue_id));

-- name: verify_orphan_worker_refs
SELECT count(*) FROM (
    SELECT producer_worker_id AS w FROM {schema}.pgqrs_messages WHERE producer_worker_id IS NOT NULL
    UNION ALL SELECT consumer_worker_id FROM {schema}.pgqrs_messages WHERE consumer_worker_id IS NOT NULL
    UNION ALL SELECT producer_worker_id FROM {schema}.pgqrs_archive WHERE producer_worker_id IS NOT NULL
    UNION ALL SELECT consumer_worker_id FROM {schema}.pgqrs_archive WHERE consumer_worker_id IS NOT NULL
) refs WHERE NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_workers w WHERE w.id = refs.w);

-- name: verify_orphan_workflow_refs
SELECT (SELECT count(*) FROM {schema}.pgqrs_workflows f
        WHERE NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_queues q WHERE q.id = f.queue_id))
     + (SELECT count(*) FROM {schema}.pgqrs_workflow_runs r
        WHERE NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_workflows f WHERE f.id = r.workflow_id))
     + (SELECT count(*) FROM {schema}.pgqrs_workflow_steps s
        WHERE NOT EXISTS (SELECT 1 FROM {schema}.pgqrs_workflow_runs r WHERE r.id = s.run_id));
