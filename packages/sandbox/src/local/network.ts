// Network confinement for local sandboxes: each sandbox gets a network namespace of its own
// (bubblewrap's --unshare-net) connected to the outside by pasta (Debian package `passt`), a
// user-mode network stack that needs no privileges. What pasta is told to forward is all the
// sandbox can reach on this machine:
//   - outbound: the internet through pasta's sockets on the host (`--no-map-gw`: the gateway
//     address is not mapped to the host, and the host's own address is the namespace's own);
//   - the host's loopback: only the studio's gateway ports (`-T`), nothing else (not PostgreSQL,
//     not another sandbox's sandbox-agent, not any other local service);
//   - inbound: the host's loopback ports of this sandbox's own servers (`-t`), for the studio.
// Every forward is explicit: pasta's default for each direction is `auto` (all bound ports).
import { spawnSync } from "node:child_process";
import { type BwrapLayout, bwrapArgs, findExecutable } from "./confine.ts";

export interface NetworkLayout {
  pasta: string;
}

export interface SandboxNetwork {
  layout: NetworkLayout;
  /** The studio's ports on the host's loopback that the sandbox may reach (its model gateway). */
  studioPorts: number[];
}

/**
 * Runs inside the sandbox before the real command: waits (at most about 5 s) for the file pasta
 * writes once the namespace is ready, which the sandbox sees in its own /tmp.
 */
export const AWAIT_NETWORK = [
  "/bin/sh",
  "-c",
  'i=0; until [ -e "$STUDIO_NETWORK_READY" ] || [ $i -ge 500 ]; do sleep 0.01; i=$((i + 1)); done; exec "$@"',
  "await-network",
];

// The supervisor is the sandbox's process group leader. It starts bwrap; attaches pasta to the
// namespaces bwrap made, through bwrap's child (the namespace's init), found in /proc once its
// user namespace is mapped and it has started the command (before that its namespaces may not be
// open to others yet); and tells the command to go on (AWAIT_NETWORK) through pasta's PID file, which pasta
// writes only once the addresses, routes and forwarded ports are all in place (the route alone
// comes earlier). Then it ends whichever of the two outlives the other: a sandbox that ends on its
// own leaves no pasta behind, and a sandbox whose network is gone (pasta could not bind a port,
// say) ends at once instead of waiting unreachable. pasta runs in the foreground inside the group,
// so stopping the group (SIGTERM, then SIGKILL) ends it too. bash, for `wait -n`.
const SUPERVISOR = `
pasta=$1 pasta_options=$2 ready_dir=$3
shift 3
ready=network-ready.$$
rm -f "$ready_dir/$ready"
export STUDIO_NETWORK_READY=/tmp/$ready
"$@" &
sandbox=$!
child=
tries=0
while [ $tries -lt 1000 ] && kill -0 "$sandbox" 2>/dev/null; do
  child=$(cat /proc/$sandbox/task/$sandbox/children 2>/dev/null)
  child=\${child%% *}
  if [ -n "$child" ] && [ -n "$(cat /proc/$child/uid_map 2>/dev/null)" ] &&
    [ -n "$(cat /proc/$child/task/$child/children 2>/dev/null)" ]; then break; fi
  child=
  tries=$((tries + 1))
  sleep 0.01
done
if [ -n "$child" ]; then
  $pasta $pasta_options -P "$ready_dir/$ready" "$child" &
  network=$!
  wait -n "$sandbox" "$network"
  if kill -0 "$sandbox" 2>/dev/null; then
    echo "studio: the sandbox's network (pasta) ended; stopping the sandbox" >&2
    kill "$sandbox"
  fi
  kill "$network" 2>/dev/null
fi
rm -f "$ready_dir/$ready"
wait "$sandbox"
`;

/** pasta's options for one sandbox. Pure; unit-tested. */
export function pastaOptions(network: SandboxNetwork, inboundPorts: number[]): string[] {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const options = ["-f", "-q", "--config-net", "--no-map-gw", "--runas", `${uid}:${gid}`];
  for (const port of inboundPorts) options.push("-t", `127.0.0.1/${port}`);
  if (inboundPorts.length === 0) options.push("-t", "none");
  options.push("-u", "none", "-U", "none");
  const outbound = [...new Set(network.studioPorts)].filter((port) => port > 0 && port < 65_536);
  options.push("-T", outbound.length > 0 ? outbound.join(",") : "none");
  return options;
}

/**
 * argv of a sandbox in its own network namespace: the supervisor, with pasta's options, around the
 * bwrap argv, which must unshare the network, bind `tmpDir` at /tmp and run AWAIT_NETWORK first.
 */
export function withNetwork(
  network: SandboxNetwork,
  inboundPorts: number[],
  tmpDir: string,
  bwrapArgv: string[],
): string[] {
  return [
    "/bin/bash",
    "-c",
    SUPERVISOR,
    "studio-sandbox",
    network.layout.pasta,
    pastaOptions(network, inboundPorts).join(" "),
    tmpDir,
    ...bwrapArgv,
  ];
}

export interface NetworkProbe {
  layout: NetworkLayout | null;
  /** Why sandboxes cannot have a network of their own here, when they cannot. */
  reason: string | null;
}

/**
 * Tries the real thing once: a confined command in its own namespace that must see pasta's network
 * come up. It fails where pasta is missing, or cannot attach (no user namespaces, no default route).
 * `bwrapArgv` is a confined `/bin/sh -c <script>` that exits 0 only once the network is up.
 */
export function probeNetwork(bwrapArgv: (command: string[]) => string[]): NetworkProbe {
  const pasta = findExecutable("pasta");
  if (!pasta)
    return { layout: null, reason: "pasta not found on PATH (Debian/Ubuntu: apt-get install passt)" };
  const routed = "awk '$2 == \"00000000\" { found = 1 } END { exit !found }' /proc/net/route";
  const argv = bwrapArgv([...AWAIT_NETWORK, "/bin/sh", "-c", `[ -e "$STUDIO_NETWORK_READY" ] && ${routed}`]);
  const layout = { pasta };
  const [command, ...args] = withNetwork({ layout, studioPorts: [] }, [], "/tmp", argv);
  const result = spawnSync(command!, args, { timeout: 15_000, encoding: "utf8" });
  if (result.status === 0) return { layout, reason: null };
  const detail = (result.stderr || result.error?.message || `exit ${result.status}`).trim();
  return { layout: null, reason: `pasta probe failed: ${detail || "the sandbox's network did not come up"}` };
}

/** Whether sandboxes get a network of their own here (`host`: configured off). Needs bwrap. */
export function probeSandboxNetwork(mode: "auto" | "own" | "host", bwrap: BwrapLayout | null): NetworkProbe {
  if (mode === "host") return { layout: null, reason: "disabled by configuration" };
  if (!bwrap) return { layout: null, reason: "it needs bwrap confinement" };
  return probeNetwork((command) => [
    bwrap.bwrap,
    ...bwrapArgs(bwrap, { writable: [], readOnly: [], tmpDir: "/tmp", cwd: "/", isolateNetwork: true }),
    "--",
    ...command,
  ]);
}
