-- Dead-lettered messages are told apart from acknowledged ones (see sql/postgres/migrations/0004_dead_letters.sql).
ALTER TABLE pgqrs_archive ADD COLUMN dead_lettered_at INTEGER;
CREATE INDEX pgqrs_archive_dead_lettered_idx ON pgqrs_archive (queue_id, dead_lettered_at)
    WHERE dead_lettered_at IS NOT NULL;
