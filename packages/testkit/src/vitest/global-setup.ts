import type { TestProject } from "vitest/node";
import { startTestPostgres } from "../postgres.ts";
import "./provided.ts";

/** One real PostgreSQL for the whole integration run; each test file clones its own database. */
export default async function setup(project: TestProject) {
  const postgres = await startTestPostgres();
  project.provide("postgresAdminUrl", postgres.adminUrl);
  return () => postgres.stop();
}
