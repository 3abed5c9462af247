// The value lists the database stores as enums, re-exported for core's users, and checked at
// compile time against Prisma's generated enums in both directions: a value added to or removed
// from prisma/schema.prisma but not to the list (or the other way round) fails `pnpm typecheck`.
import type {
  BudgetPeriod as DbBudgetPeriod,
  BudgetScope as DbBudgetScope,
  GitHostKind as DbGitHostKind,
  GitRefKind as DbGitRefKind,
  KeySource as DbKeySource,
  LedgerKind as DbLedgerKind,
  ModelProvider as DbModelProvider,
  SessionSourceKind as DbSessionSourceKind,
  SessionStatus as DbSessionStatus,
} from "@studio/db";
import type {
  GitHostKind,
  GitRefKind,
  KeySource,
  LedgerKind,
  ModelProvider,
  SessionSourceKind,
} from "@studio/models";
import type { BudgetPeriod } from "../budgets/periods.ts";
import type { BudgetScope } from "../budgets/schemas.ts";
import type { SessionStatus } from "../sessions/state-machine.ts";

export { LEDGER_KINDS, type LedgerKind, MODEL_PROVIDERS, type ModelProvider } from "@studio/models";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type ValueListsMatchPrisma = [
  Assert<Same<ModelProvider, DbModelProvider>>,
  Assert<Same<KeySource, DbKeySource>>,
  Assert<Same<LedgerKind, DbLedgerKind>>,
  Assert<Same<SessionStatus, DbSessionStatus>>,
  Assert<Same<SessionSourceKind, DbSessionSourceKind>>,
  Assert<Same<GitRefKind, DbGitRefKind>>,
  Assert<Same<GitHostKind, DbGitHostKind>>,
  Assert<Same<BudgetScope, DbBudgetScope>>,
  Assert<Same<BudgetPeriod, DbBudgetPeriod>>,
];
