-- A usage entry is priced by the model the provider reported it used. When that is not the model
-- the request named (an OpenRouter fallback, a substitution), the named one is kept here: the
-- entry is flagged. NULL for every entry before this migration and for calls that ran as named.
-- AlterTable
ALTER TABLE "ledger_entries" ADD COLUMN     "requested_model" TEXT;
