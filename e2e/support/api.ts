// The studio's typed API over HTTP, as the signed-in browser context calls it (its cookie, no Origin:
// the way a program calls it), for seeding what a test needs without clicking through pages that are
// not what it tests. Procedures answer superjson (`{ json: … }`); an error fails the test with the
// procedure's own message.
import { expect, type Page } from "@playwright/test";

interface TrpcAnswer<T> {
  result?: { data?: { json?: T } };
  error?: { json?: { message?: string } };
}

async function answerOf<T>(path: string, response: Awaited<ReturnType<Page["request"]["get"]>>) {
  const body = (await response.json().catch(() => ({}))) as TrpcAnswer<T>;
  expect(response.status(), `${path}: ${body.error?.json?.message ?? (await response.text())}`).toBe(200);
  return body.result?.data?.json as T;
}

/** Calls a mutation (`organizations.create`, …) as the page's signed-in person. */
export async function apiMutation<T = unknown>(page: Page, path: string, input?: unknown): Promise<T> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input ?? null } });
  return answerOf<T>(path, response);
}

/** Calls a query (`organizations.current`, …) as the page's signed-in person. */
export async function apiQuery<T = unknown>(page: Page, path: string, input?: unknown): Promise<T> {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await page.request.get(`/api/trpc/${path}${search}`);
  return answerOf<T>(path, response);
}
