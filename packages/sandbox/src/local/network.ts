// Network confinement for local sandboxes: each sandbox gets a network namespace of its own
// (bubblewrap's --unshare-net) connected to the outside by pasta (Debian package `passt`), a
// user-mode network stack that needs no privileges. What pasta is told to forward is all the
// sandbox can reach on this machine:
//   - outbound: the internet through pasta's sockets on the host (`--no-map-gw`: the gateway
//     address is not mapped to the host, and the host's own address is the namespace's own);
//   - the host's loopback: only the studio's gateway ports (`-T`), nothing else (not PostgreSQL,
//     not another sandbox's sandbox-agent, not any other local service).
// Nothing comes in through pasta (`-t none`): the studio reaches the sandbox's servers through Unix
// sockets in a directory of its own (mode 700, never bound into a sandbox), each served by socat
// running in the sandbox's network namespace but in the host's filesystem (`nsenter -U -n`) and
// connecting to the server's port on the namespace's loopback. So no other user of this machine
// can connect to a sandbox's sandbox-agent, which can then run without a token (whose only way in
// is the command line, readable by every user in `ps`).
// Every forward is explicit: pasta's default for each direction is `auto` (all bound ports).
import { spawnSync } from "node:child_process";
import { type BwrapLayout, bwrapArgs, findExecutable } from "./confine.ts";

export interface NetworkLayout {
  pasta: string;
  nsenter: string;
  socat: string;
}

/** A server in the sandbox (its port on the namespace's loopback) and the host socket serving it. */
export interface SocketForward {
  socket: string;
  port: number;
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
// open to others yet); serves each forwarded socket with socat in the namespace; and tells the command to go on (AWAIT_NETWORK) through pasta's PID file, which pasta
// writes only once the addresses, routes and forwarded ports are all in place (the route alone
// comes earlier). Then it ends whichever of the two outlives the other: a sandbox that ends on its
// own leaves no pasta behind, and a sandbox whose network is gone (pasta could not bind a port,
// say) ends at once instead of waiting unreachable. pasta runs in the foreground inside the group,
// so stopping the group (SIGTERM, then SIGKILL) ends it too. bash, for `wait -n`.
const SUPERVISOR = `
pasta=$1 pasta_options=$2 ready_dir=$3 nsenter=$4 socat=$5 forwards=$6
shift 6
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
  # As itself: pasta run as root would otherwise switch to nobody, who cannot enter the namespace.
  $pasta $pasta_options --runas "$EUID:$(id -g)" -P "$ready_dir/$ready" "$child" &
  network=$!
  forwarders=
  for forward in $forwards; do
    "$nsenter" -t "$child" -U -n --preserve-credentials \\
      "$socat" "UNIX-LISTEN:\${forward%=*},fork,unlink-early,umask=077" "TCP:127.0.0.1:\${forward##*=}" &
    forwarders="$forwarders $!"
  done
  wait -n "$sandbox" "$network" $forwarders
  if kill -0 "$sandbox" 2>/dev/null; then
    echo "studio: the sandbox's network (pasta or a socket forwarder) ended; stopping the sandbox" >&2
    kill "$sandbox"
  fi
  kill "$network" $forwarders 2>/dev/null
fi
rm -f "$ready_dir/$ready"
wait "$sandbox"
`;

/** pasta's options for one sandbox. Pure; unit-tested. */
export function pastaOptions(network: SandboxNetwork): string[] {
  const options = ["-f", "-q", "--config-net", "--no-map-gw"];
  options.push("-t", "none", "-u", "none", "-U", "none");
  const outbound = [...new Set(network.studioPorts)].filter((port) => port > 0 && port < 65_536);
  options.push("-T", outbound.length > 0 ? outbound.join(",") : "none");
  return options;
}

/** What socat's address syntax and the supervisor's word splitting take in a socket path as is. */
export const SOCKET_PATH_PATTERN = /^\/[A-Za-z0-9_./-]+$/;

/**
 * argv of a sandbox in its own network namespace: the supervisor, with pasta's options and the
 * sockets to serve, around the bwrap argv, which must unshare the network, bind `tmpDir` at /tmp and
 * run AWAIT_NETWORK first.
 */
export function withNetwork(
  network: SandboxNetwork,
  forwards: SocketForward[],
  tmpDir: string,
  bwrapArgv: string[],
): string[] {
  for (const { socket, port } of forwards) {
    if (!SOCKET_PATH_PATTERN.test(socket)) throw new Error(`unsupported socket path: ${socket}`);
    if (!Number.isInteger(port) || port <= 0 || port >= 65_536) throw new Error(`bad port: ${port}`);
  }
  const { layout } = network;
  return [
    "/bin/bash",
    "-c",
    SUPERVISOR,
    "studio-sandbox",
    layout.pasta,
    pastaOptions(network).join(" "),
    tmpDir,
    layout.nsenter,
    layout.socat,
    forwards.map(({ socket, port }) => `${socket}=${port}`).join(" "),
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
  const socat = findExecutable("socat");
  if (!socat)
    return { layout: null, reason: "socat not found on PATH (Debian/Ubuntu: apt-get install socat)" };
  const nsenter = findExecutable("nsenter");
  if (!nsenter) return { layout: null, reason: "nsenter not found on PATH (util-linux)" };
  const routed = "awk '$2 == \"00000000\" { found = 1 } END { exit !found }' /proc/net/route";
  const argv = bwrapArgv([...AWAIT_NETWORK, "/bin/sh", "-c", `[ -e "$STUDIO_NETWORK_READY" ] && ${routed}`]);
  const layout = { pasta, socat, nsenter };
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
    ...bwrapArgs(bwrap, { mounts: [], readOnly: [], tmpDir: "/tmp", cwd: "/", isolateNetwork: true }),
    "--",
    ...command,
  ]);
}
