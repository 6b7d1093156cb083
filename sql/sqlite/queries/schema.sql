-- Migration bookkeeping and verify(), SQLite family. install() runs inside one BEGIN IMMEDIATE transaction,
-- which already excludes concurrent installers, so install_lock only has to exist.

-- name: install_lock
SELECT 1;

-- name: schema_exists
SELECT 1;

-- name: schema_create
SELECT 1;

-- name: schema_version_create
CREATE TABLE IF NOT EXISTS pgqrs_schema_version (
    version      INTEGER PRIMARY KEY,
    description  TEXT NOT NULL,
    applied_at   INTEGER NOT NULL
);

-- name: schema_version_list
SELECT version, description, applied_at FROM pgqrs_schema_version ORDER BY version;

-- name: schema_version_insert
INSERT INTO pgqrs_schema_version (version, description, applied_at) VALUES (?1, ?2, ?3);

-- name: table_exists
-- pgqrs_archive is a view since schema version 5 (sql/sqlite/migrations/0005_archive_in_place.sql).
SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?2;

-- name: verify_orphan_queue_refs
SELECT count(*) FROM pgqrs_messages m WHERE NOT EXISTS (SELECT 1 FROM pgqrs_queues q WHERE q.id = m.queue_id);

-- name: verify_orphan_worker_refs
SELECT count(*) FROM (
    SELECT producer_worker_id AS w FROM pgqrs_messages WHERE producer_worker_id IS NOT NULL
    UNION ALL SELECT consumer_worker_id FROM pgqrs_messages WHERE consumer_worker_id IS NOT NULL
) refs WHERE NOT EXISTS (SELECT 1 FROM pgqrs_workers w WHERE w.id = refs.w);

-- name: verify_orphan_workflow_refs
SELECT (SELECT count(*) FROM pgqrs_workflows f
        WHERE NOT EXISTS (SELECT 1 FROM pgqrs_queues q WHERE q.id = f.queue_id))
     + (SELECT count(*) FROM pgqrs_workflow_runs r
        WHERE NOT EXISTS (SELECT 1 FROM pgqrs_workflows f WHERE f.id = r.workflow_id))
     + (SELECT count(*) FROM pgqrs_workflow_steps s
        WHERE NOT EXISTS (SELECT 1 FROM pgqrs_workflow_runs r WHERE r.id = s.run_id));
