// Platform admins run the studio itself, across organisations: they grant platform credits and set
// prices, which spend the platform's own provider keys.
import { forbidden } from "../shared/errors.ts";

export interface PlatformActor {
  userId: string;
  platformAdmin: boolean;
}

/** `action` completes "Only the studio's platform admins can …". */
export function assertPlatformAdmin(actor: PlatformActor, action: string): void {
  if (!actor.platformAdmin) throw forbidden(`Only the studio's platform admins can ${action}.`);
}
