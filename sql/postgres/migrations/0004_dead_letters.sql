-- Dead-lettered messages are told apart from acknowledged ones: dead_lettered_at is the time a poison message
-- (read_ct >= max_read_ct) was moved to the archive, NULL for an acknowledged one. It lives on pgqrs_archive
-- because archived messages live there (pgqrs_messages holds live ones only), so replaying a message back to
-- the live table clears it. The partial index keeps per-queue dead-letter counts off the acknowledged rows.
ALTER TABLE {schema}.pgqrs_archive ADD COLUMN dead_lettered_at TIMESTAMPTZ;
CREATE INDEX pgqrs_archive_dead_lettered_idx ON {schema}.pgqrs_archive (queue_id, dead_lettered_at)
    WHERE dead_lettered_at IS NOT NULL;
