-- Core queue tables, SQLite family (SQLite, Turso, S3). Same logical model as PostgreSQL
-- (docs/architecture.md): live messages in pgqrs_messages, acknowledged ones in pgqrs_archive.
-- Timestamps are INTEGER microseconds since the Unix epoch (exact arithmetic and comparison; read them with
-- datetime(col / 1000000, 'unixepoch')).

CREATE TABLE pgqrs_queues (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_name  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE pgqrs_workers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    queue_id      INTEGER REFERENCES pgqrs_queues(id),
    started_at    INTEGER NOT NULL,
    heartbeat_at  INTEGER NOT NULL,
    shutdown_at   INTEGER,
    status        TEXT NOT NULL DEFAULT 'ready'
                  CHECK (status IN ('ready', 'polling', 'suspended', 'interrupted', 'stopped'))
);
CREATE INDEX pgqrs_workers_queue_status_idx ON pgqrs_workers (queue_id, status);
CREATE INDEX pgqrs_workers_heartbeat_idx ON pgqrs_workers (heartbeat_at);

-- AUTOINCREMENT: ids are never reused, so an archived id can always be replayed back under the same id.
CREATE TABLE pgqrs_messages (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id            INTEGER NOT NULL REFERENCES pgqrs_queues(id),
    payload             TEXT NOT NULL,
    vt                  INTEGER NOT NULL,
    enqueued_at         INTEGER NOT NULL,
    read_ct             INTEGER NOT NULL DEFAULT 0,
    dequeued_at         INTEGER,
    producer_worker_id  INTEGER,
    consumer_worker_id  INTEGER
);
CREATE INDEX pgqrs_messages_claim_idx ON pgqrs_messages (queue_id, vt, id);

CREATE TABLE pgqrs_archive (
    id                  INTEGER PRIMARY KEY,
    queue_id            INTEGER NOT NULL,
    payload             TEXT NOT NULL,
    vt                  INTEGER NOT NULL,
    enqueued_at         INTEGER NOT NULL,
    read_ct             INTEGER NOT NULL,
    dequeued_at         INTEGER,
    producer_worker_id  INTEGER,
    consumer_worker_id  INTEGER,
    archived_at         INTEGER NOT NULL
);
CREATE INDEX pgqrs_archive_queue_archived_idx ON pgqrs_archive (queue_id, archived_at);
