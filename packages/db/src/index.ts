export {
  type CreateDbOptions,
  createDb,
  type Db,
  type DbTx,
  isConnectionError,
  isStatementError,
  type SqlPool,
  sqlPoolOf,
} from "./client.ts";
export { copyCsvOut, inlineSql } from "./copy-out.ts";
export { Prisma } from "./generated/prisma/client.ts";
export * from "./generated/prisma/enums.ts";
export type * from "./generated/prisma/models.ts";
