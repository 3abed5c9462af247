// Environment mode (KEY_DELIVERY=environment, for sandboxes that cannot reach the studio): the key
// a session resolved to is written into its sandbox's environment, as the seed does. Only chosen
// explicitly in configuration; the gateway mode keeps keys out of sandboxes.
import { type Keyring, openProviderKey } from "@studio/core";
import type { Db } from "@studio/db";
import type { SessionRow } from "@studio/runner";
import type { Config } from "./config.ts";

export async function keyForEnvironmentMode(
  db: Db,
  keyring: Keyring,
  config: Config,
  session: SessionRow,
): Promise<{ apiKey: string | null; baseUrl: string | null }> {
  const provider = session.upstreamProvider;
  if (session.keySource === "platform") {
    const upstream = config.upstreams[provider];
    return { apiKey: upstream?.apiKey ?? null, baseUrl: upstream?.baseUrl ?? null };
  }
  const owner = session.keySource === "openrouter" ? "openrouter" : provider;
  const key = await openProviderKey(db, keyring, session.organizationId, owner);
  if (!key)
    throw new Error(`The organisation's ${owner} key was removed; add it again to provision this session.`);
  return { apiKey: key.apiKey || null, baseUrl: key.baseUrl };
}
