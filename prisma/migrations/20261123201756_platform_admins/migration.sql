-- AlterTable
ALTER TABLE "users" ADD COLUMN     "platform_admin" BOOLEAN NOT NULL DEFAULT false;

-- Credits and prices used to be set by any organisation's owners and admins. On a studio that
-- already has accounts, its first account (the person who set it up) runs it from now on.
UPDATE "users" SET "platform_admin" = true
WHERE "id" = (SELECT "id" FROM "users" ORDER BY "created_at", "id" LIMIT 1);
