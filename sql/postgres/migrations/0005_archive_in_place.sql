-- Version 5 moved the SQLite family's archive into pgqrs_messages (sql/sqlite/migrations/0005_archive_in_place.sql).
-- PostgreSQL keeps its separate pgqrs_archive: an in-place UPDATE there leaves a dead tuple and a dead claim
-- index entry behind for every archived message, which is what the claim floor and the move avoid. Nothing
-- changes here; the version exists so that both dialects report the same schema version.
SELECT 1;
