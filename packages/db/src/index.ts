export {
  type CreateDbOptions,
  createDb,
  createDbClient,
  type Db,
  type DbClient,
  type DbTx,
  isConnectionError,
  isStatementError,
  type SqlPool,
} from "./client.ts";
export { copyCsvOut, inlineSql } from "./copy-out.ts";
export { Prisma } from "./generated/prisma/client.ts";
export * from "./generated/prisma/enums.ts";
export type * from "./generated/prisma/models.ts";
