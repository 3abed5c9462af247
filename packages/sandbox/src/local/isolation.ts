// What confinement this machine gives local sandboxes, found once when the provider starts: files
// (bubblewrap) and a network of their own (pasta and socat). Where the configuration asks for
// something the machine cannot do, the provider refuses to start; where it only prefers it, the
// studio says at start what sandboxes run without.
import type { Logger } from "@studio/models";
import { type BwrapLayout, type ConfinementMode, probeBwrap } from "./confine.ts";
import { type NetworkLayout, probeSandboxNetwork } from "./network.ts";

export interface Isolation {
  bwrap: BwrapLayout | null;
  network: NetworkLayout | null;
  confinement: { mode: "bwrap" | "none"; reason: string | null };
  networkMode: { mode: "own" | "host"; reason: string | null };
}

export function probeIsolation(
  confinement: ConfinementMode = "auto",
  network: "auto" | "own" | "host" = "auto",
  logger?: Logger,
): Isolation {
  let bwrap: BwrapLayout | null = null;
  let confinementMode: Isolation["confinement"];
  if (confinement === "none") {
    confinementMode = { mode: "none", reason: "disabled by configuration" };
  } else {
    const probe = probeBwrap();
    if (!probe.layout && confinement === "bwrap")
      throw new Error(`confinement required but unavailable: ${probe.reason}`);
    if (!probe.layout)
      logger?.warn(
        { reason: probe.reason },
        "local sandboxes run unconfined: the agent can read what the studio's user can",
      );
    bwrap = probe.layout;
    confinementMode = { mode: probe.layout ? "bwrap" : "none", reason: probe.reason };
  }
  const probe = probeSandboxNetwork(network, bwrap);
  if (!probe.layout && network === "own")
    throw new Error(`a network of their own for sandboxes is unavailable: ${probe.reason}`);
  if (!probe.layout && network !== "host")
    logger?.warn(
      { reason: probe.reason },
      "local sandboxes share the host's network: an agent can reach every service on this machine's loopback, and sandbox-agent's token is on its command line (ps)",
    );
  return {
    bwrap,
    network: probe.layout,
    confinement: confinementMode,
    networkMode: { mode: probe.layout ? "own" : "host", reason: probe.reason },
  };
}
