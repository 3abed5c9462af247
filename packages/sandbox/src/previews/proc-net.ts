// Which TCP ports a sandbox's own processes listen on, from what a small script run inside the
// sandbox prints (listeners.ts): its /proc/net/tcp and /proc/net/tcp6 (every socket of its network
// namespace, or of the host when it shares the host's network) and the socket inodes held open by
// the sandbox's processes (/proc/<pid>/fd). A listener counts only when a sandbox process owns it:
// in a network namespace of its own, pasta also listens there (the studio's gateway ports), and on
// a shared network every service of the machine does. Pure; unit-tested.

/** The kernel's state number for a listening TCP socket (include/net/tcp_states.h: TCP_LISTEN). */
const TCP_LISTEN = "0A";

export interface ListeningSocket {
  family: 4 | 6;
  /** The address it is bound to: `0.0.0.0` or `::` for every address. */
  address: string;
  port: number;
  inode: number;
}

/** What the script inside the sandbox reports (see `parseListenerReport`). */
export interface ListenerReport {
  sockets: ListeningSocket[];
  /** Socket inode to the PID holding it, for the sandbox's processes only. */
  owners: Map<number, number>;
  /** sandbox-agent's PID as the script saw it (its parent): its own sockets never count. */
  agentPid: number | null;
}

export interface ListeningPort {
  port: number;
  /** Every address a sandbox process listens on with that port, e.g. `["0.0.0.0", "::"]`. */
  addresses: string[];
}

export interface SandboxListeners {
  /** The sandbox's own listening ports, ascending, without the excluded ones. */
  ports: ListeningPort[];
  /**
   * Ports some other process also listens on (pasta's forward to the studio, a host service, or
   * sandbox-agent's or OpenCode's own): a connection to them may reach that process, so they are
   * never previewed, even if a sandbox process listens there too on another address.
   */
  foreignPorts: Set<number>;
}

/** `0100007F` (little-endian 32-bit words, as /proc prints them) to `127.0.0.1`. */
function ipv4(hex: string): string {
  const bytes = Buffer.from(hex, "hex").reverse();
  return [...bytes].join(".");
}

/** 32 hex digits, four little-endian 32-bit words, to a compressed IPv6 address. */
function ipv6(hex: string): string {
  const bytes = Buffer.alloc(16);
  for (let word = 0; word < 4; word++) {
    Buffer.from(hex.slice(word * 8, word * 8 + 8), "hex")
      .reverse()
      .copy(bytes, word * 4);
  }
  if (bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${[...bytes.subarray(12)].join(".")}`;
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  // The longest run of zero groups (two or more) becomes `::`.
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === "0") end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }
  if (bestStart < 0) return groups.join(":");
  const head = groups.slice(0, bestStart).join(":");
  const tail = groups.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}

/** The LISTEN sockets of one /proc/net/tcp or /proc/net/tcp6 text; other lines are ignored. */
export function parseProcNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const addressDigits = family === 4 ? 8 : 32;
  const sockets: ListeningSocket[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, …
    if (fields.length < 10 || !/^\d+:$/.test(fields[0]!)) continue;
    if (fields[3] !== TCP_LISTEN) continue;
    const match = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(fields[1]!);
    if (!match || match[1]!.length !== addressDigits) continue;
    const inode = Number(fields[9]);
    const port = Number.parseInt(match[2]!, 16);
    if (!Number.isSafeInteger(inode) || inode <= 0 || port <= 0) continue;
    const address = family === 4 ? ipv4(match[1]!) : ipv6(match[1]!);
    sockets.push({ family, address, port, inode });
  }
  return sockets;
}

/** Section markers the script prints before each part of its report. */
export const REPORT_SECTIONS = { tcp: "@@tcp", tcp6: "@@tcp6", fds: "@@fds", agent: "@@agent" } as const;

/**
 * Parses the script's report: `@@agent <pid>`, then `@@tcp` and `@@tcp6` with the two files as
 * they are, then `@@fds` with lines `/proc/<pid>/fd socket:[<inode>]` (find's `%h %l`).
 */
export function parseListenerReport(stdout: string): ListenerReport {
  const sections = new Map<string, string[]>();
  let agentPid: number | null = null;
  let current: string[] | null = null;
  for (const line of stdout.split("\n")) {
    if (line.startsWith("@@")) {
      const [marker, value] = line.split(" ");
      if (marker === REPORT_SECTIONS.agent) {
        const pid = Number(value);
        agentPid = Number.isSafeInteger(pid) && pid > 0 ? pid : null;
        current = null;
        continue;
      }
      current = [];
      sections.set(marker!, current);
      continue;
    }
    current?.push(line);
  }
  const text = (marker: string) => (sections.get(marker) ?? []).join("\n");
  const sockets = [
    ...parseProcNetTcp(text(REPORT_SECTIONS.tcp), 4),
    ...parseProcNetTcp(text(REPORT_SECTIONS.tcp6), 6),
  ];
  const owners = new Map<number, number>();
  for (const line of sections.get(REPORT_SECTIONS.fds) ?? []) {
    const match = /^\/proc\/(\d+)\/fd socket:\[(\d+)\]$/.exec(line.trim());
    if (match) owners.set(Number(match[2]), Number(match[1]));
  }
  return { sockets, owners, agentPid };
}

/**
 * The sandbox's own listening ports: listeners held by a sandbox process other than sandbox-agent,
 * minus `excludePorts` (sandbox-agent's and OpenCode's, which the provider knows).
 */
export function sandboxListeners(report: ListenerReport, excludePorts: Iterable<number>): SandboxListeners {
  const excluded = new Set(excludePorts);
  const foreignPorts = new Set<number>();
  const own = new Map<number, Set<string>>();
  for (const socket of report.sockets) {
    const owner = report.owners.get(socket.inode);
    if (owner === undefined || owner === report.agentPid || excluded.has(socket.port)) {
      foreignPorts.add(socket.port);
      continue;
    }
    const addresses = own.get(socket.port) ?? new Set<string>();
    addresses.add(socket.address);
    own.set(socket.port, addresses);
  }
  for (const port of excluded) foreignPorts.add(port);
  const ports = [...own]
    .filter(([port]) => !foreignPorts.has(port))
    .map(([port, addresses]) => ({ port, addresses: [...addresses].sort() }))
    .sort((a, b) => a.port - b.port);
  return { ports, foreignPorts };
}

/** Where to connect, from inside the sandbox's network, to reach a port it listens on. */
export function connectAddress(port: ListeningPort): { host: string; family: 4 | 6 } {
  const { addresses } = port;
  if (addresses.some((a) => a === "0.0.0.0" || a === "127.0.0.1")) return { host: "127.0.0.1", family: 4 };
  if (addresses.some((a) => a === "::" || a === "::1")) return { host: "::1", family: 6 };
  const address = addresses[0]!;
  return address.includes(":") ? { host: address, family: 6 } : { host: address, family: 4 };
}
