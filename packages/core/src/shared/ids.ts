import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** 120 random bits as 24 lower-case base32 characters: unguessable, URL- and cookie-safe. */
export function randomToken(bytes = 15): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Row ids: random, so they leak neither counts nor creation order. */
export const newId = (): string => randomToken(15);
