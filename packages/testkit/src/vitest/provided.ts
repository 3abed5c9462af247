// What the integration global setup hands to test files through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    /** postgres:// URL of the test cluster's maintenance database. */
    postgresAdminUrl: string;
  }
}

export {};
