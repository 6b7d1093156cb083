#pragma once
// Child modes of the process test binary (main.cpp dispatches argv[1] to one of these; each returns the
// child's exit code).

#include <string>

namespace pgqrs::process_tests {

/// --drain DSN QUEUE OUT DONE: consumes until the queue stays empty (and, if DONE is not empty, the file DONE
/// exists: the producers finished), writing archived ids to OUT.
int drain(const std::string& dsn, const std::string& queue, const std::string& out_path,
          const std::string& producers_done);
/// --produce DSN QUEUE N OUT: enqueues N messages in batches of 10, writing each acknowledged id to OUT.
int produce(const std::string& dsn, const std::string& queue, int count, const std::string& out_path);
/// --open-install DSN GO: waits for the file GO to exist, then connects, installs and enqueues one message.
int open_and_install(const std::string& dsn, const std::string& go_file);
/// --hold-lease DSN SCHEMA LEASE_MS HEARTBEAT_S OUT: runs a handler loop whose handler writes the message id
/// to OUT and never returns (until the process is killed).
int hold_lease(const std::string& dsn, const std::string& schema, int lease_ms, int heartbeat_s,
               const std::string& out_path);

// Turso (turso_process_test.cpp):
/// --turso-open DSN: connects; prints the connection_error and exits 10 when refused, 0 when it opened.
int turso_open(const std::string& dsn);
/// --turso-drain DSN OUT: dequeues one message at a time (1 s lease) and archives it, appending each
/// acknowledged id to OUT at once, until the queue is empty.
int turso_drain_one_by_one(const std::string& dsn, const std::string& out_path);

// S3 (s3_process_test.cpp):
/// --s3-race BUCKET KEY CACHE_DIR SYNC_DIR ID ROUNDS OUT: a Durable store on s3://BUCKET/KEY with its own
/// cache; ROUNDS times enqueues one message, then acknowledges (archives) one, each write started at the same
/// moment as the other racer's (file barriers in SYNC_DIR); appends every acknowledged id to OUT.
int s3_race(const std::string& bucket, const std::string& key, const std::string& cache_dir,
            const std::string& sync_dir, int id, int rounds, const std::string& out_path);

// Durable workflows (workflow_children.cpp, workflow_support.hpp):
/// --wf-victim DSN SCHEMA DIR WORKFLOW LEASE_MS: executes one run, stopping at its input's kill point.
int wf_victim(const std::string& dsn, const std::string& schema, const std::string& dir, const std::string& workflow,
              int lease_ms);
/// --wf-rescuer DSN SCHEMA DIR WORKFLOW LEASE_MS RUNS: RUNS poll loops until RUNS runs have finished.
int wf_rescuer(const std::string& dsn, const std::string& schema, const std::string& dir, const std::string& workflow,
               int lease_ms, int runs);
/// --wf-trigger DSN SCHEMA GO OUT: waits for the file GO, triggers "five_steps" with key "k", writes the id to OUT.
int wf_trigger(const std::string& dsn, const std::string& schema, const std::string& go, const std::string& out);

// Chaos (chaos_children.cpp): both run until SIGKILLed or until the file DIR/stop exists.
/// --chaos-wf DSN SCHEMA DIR LEASE_MS: polls the five-step workflow "chaos" (2 runs at a time).
int chaos_workflow_worker(const std::string& dsn, const std::string& schema, const std::string& dir, int lease_ms);
/// --chaos-consumer DSN SCHEMA DIR LEASE_MS: dequeues from "chaos_jobs" one message at a time and archives it.
int chaos_consumer(const std::string& dsn, const std::string& schema, const std::string& dir, int lease_ms);

}  // namespace pgqrs::process_tests
