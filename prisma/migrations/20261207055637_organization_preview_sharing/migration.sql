-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "preview_sharing" BOOLEAN NOT NULL DEFAULT false;
