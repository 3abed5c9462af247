-- Session sources (empty, a git repository, an upload), each session's base commit and branches,
-- uploads kept until a session uses them, the organisation's push branch prefix, and what software
-- a git host runs (for pull-request links on self-hosted hosts).
-- CreateEnum
CREATE TYPE "session_source_kind" AS ENUM ('empty', 'git', 'upload');

-- CreateEnum
CREATE TYPE "git_host_kind" AS ENUM ('github', 'gitlab', 'bitbucket', 'gitea');

-- CreateEnum
CREATE TYPE "git_ref_kind" AS ENUM ('branch', 'tag', 'commit');

-- AlterTable
ALTER TABLE "git_credentials" ADD COLUMN     "host_kind" "git_host_kind";

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "push_branch_prefix" TEXT NOT NULL DEFAULT 'studio/';

-- AlterTable
ALTER TABLE "studio_sessions" ADD COLUMN     "base_branch" TEXT,
ADD COLUMN     "base_commit" TEXT,
ADD COLUMN     "source_full_history" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "source_kind" "session_source_kind" NOT NULL DEFAULT 'empty',
ADD COLUMN     "source_ref" TEXT,
ADD COLUMN     "source_ref_kind" "git_ref_kind",
ADD COLUMN     "source_upload_id" TEXT,
ADD COLUMN     "source_url" TEXT,
ADD COLUMN     "work_branch" TEXT;

-- CreateTable
CREATE TABLE "session_uploads" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "compressed_bytes" BIGINT NOT NULL,
    "unpacked_bytes" BIGINT NOT NULL,
    "file_count" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_uploads_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_uploads_organization_id_created_at_idx" ON "session_uploads"("organization_id", "created_at");

-- CreateIndex
CREATE INDEX "studio_sessions_organization_id_source_url_idx" ON "studio_sessions"("organization_id", "source_url");

-- AddForeignKey
ALTER TABLE "studio_sessions" ADD CONSTRAINT "studio_sessions_source_upload_id_fkey" FOREIGN KEY ("source_upload_id") REFERENCES "session_uploads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_uploads" ADD CONSTRAINT "session_uploads_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_uploads" ADD CONSTRAINT "session_uploads_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
