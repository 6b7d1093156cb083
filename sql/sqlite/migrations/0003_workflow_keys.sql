-- Workflow runs: caller-chosen idempotency keys (trigger().key()), and indexes for listing runs newest first.
ALTER TABLE pgqrs_workflow_runs ADD COLUMN trigger_key TEXT;
CREATE UNIQUE INDEX pgqrs_workflow_runs_key_idx ON pgqrs_workflow_runs (workflow_id, trigger_key);
CREATE INDEX pgqrs_workflow_runs_created_idx ON pgqrs_workflow_runs (created_at);
CREATE INDEX pgqrs_workflow_runs_workflow_created_idx ON pgqrs_workflow_runs (workflow_id, created_at);
