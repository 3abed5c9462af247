-- DropIndex
DROP INDEX "model_prices_provider_model_effective_from_key";

-- AlterTable
ALTER TABLE "ledger_entries" ADD COLUMN     "cost_micro_usd" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "upstream_status" INTEGER;

-- AlterTable
ALTER TABLE "model_prices" ADD COLUMN     "organization_id" TEXT;

-- AlterTable
ALTER TABLE "organizations" DROP COLUMN "markup_bps";

-- AlterTable
ALTER TABLE "studio_sessions" ADD COLUMN     "total_cost_micro_usd" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "upstream_model" TEXT,
ADD COLUMN     "upstream_provider" "model_provider";
-- Existing sessions called their own provider: backfill, then require.
UPDATE "studio_sessions" SET "upstream_model" = "model", "upstream_provider" = "provider";
ALTER TABLE "studio_sessions" ALTER COLUMN "upstream_model" SET NOT NULL,
ALTER COLUMN "upstream_provider" SET NOT NULL;

-- CreateIndex
CREATE INDEX "model_prices_provider_model_effective_from_idx" ON "model_prices"("provider", "model", "effective_from" DESC);

-- CreateIndex
CREATE INDEX "model_prices_organization_id_provider_model_effective_from_idx" ON "model_prices"("organization_id", "provider", "model", "effective_from" DESC);

-- AddForeignKey
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
