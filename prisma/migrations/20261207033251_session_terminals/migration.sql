-- Terminals opened from the session page (PTYs in the sandbox; what is typed is not kept), and
-- whether other members may watch them.
-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "terminal_watching" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "session_terminals" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "process_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "opened_by_id" TEXT,
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "session_terminals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_terminals_session_id_closed_at_idx" ON "session_terminals"("session_id", "closed_at");

-- AddForeignKey
ALTER TABLE "session_terminals" ADD CONSTRAINT "session_terminals_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "studio_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_terminals" ADD CONSTRAINT "session_terminals_opened_by_id_fkey" FOREIGN KEY ("opened_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
