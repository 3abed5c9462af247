-- Idle timeouts in seconds (the organisation setting stays in minutes), keeping existing values.
ALTER TABLE "studio_sessions" RENAME COLUMN "idle_timeout_minutes" TO "idle_timeout_seconds";
UPDATE "studio_sessions" SET "idle_timeout_seconds" = "idle_timeout_seconds" * 60;

-- Runtime state for re-attaching to a sandbox after a restart or takeover.
ALTER TABLE "studio_sessions" ADD COLUMN     "acp_server_id" TEXT,
ADD COLUMN     "agent_event_cursor" TEXT,
ADD COLUMN     "current_turn_id" TEXT;
