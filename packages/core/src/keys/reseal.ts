// `keys:rotate`'s re-sealing: every secret sealed with the keyring (provider keys, git credentials,
// alert webhooks' signing secrets)
// moves to the current master key in one transaction, so either all of them do or none.
import type { DbTx } from "@studio/db";
import { resealAlertWebhooksIn } from "../alerts/webhook.ts";
import { resealGitCredentialsIn } from "../git/credentials.ts";
import type { Keyring } from "./keyring.ts";
import { resealProviderKeysIn } from "./provider-keys.ts";

export interface ResealCounts {
  providerKeys: number;
  gitCredentials: number;
  alertWebhooks: number;
}

export async function resealAllSecrets(
  db: { $transaction<T>(fn: (tx: DbTx) => Promise<T>, options?: { timeout?: number }): Promise<T> },
  keyring: Keyring,
): Promise<ResealCounts> {
  return db.$transaction(
    async (tx) => ({
      providerKeys: await resealProviderKeysIn(tx, keyring),
      gitCredentials: await resealGitCredentialsIn(tx, keyring),
      alertWebhooks: await resealAlertWebhooksIn(tx, keyring),
    }),
    { timeout: 120_000 },
  );
}
