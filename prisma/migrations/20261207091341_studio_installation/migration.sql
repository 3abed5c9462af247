-- CreateTable
CREATE TABLE "studio_installation" (
    "slot" INTEGER NOT NULL DEFAULT 1,
    "id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "studio_installation_pkey" PRIMARY KEY ("slot")
);

-- CreateIndex
CREATE UNIQUE INDEX "studio_installation_id_key" ON "studio_installation"("id");
