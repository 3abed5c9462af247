-- CreateTable
CREATE TABLE "budget_allowances" (
    "id" TEXT NOT NULL,
    "budget_id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "period_start" DATE NOT NULL,
    "holder" TEXT NOT NULL,
    "remaining_micro_usd" BIGINT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "budget_allowances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "budget_allowances_organization_id_subject_period_start_idx" ON "budget_allowances"("organization_id", "subject", "period_start");

-- AddForeignKey
ALTER TABLE "budget_allowances" ADD CONSTRAINT "budget_allowances_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
