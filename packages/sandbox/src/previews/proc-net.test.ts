// Samples are real /proc/net/tcp and /proc/net/tcp6 lines, taken on this machine kind with
// `python3 -m http.server` bound to 127.0.0.1:8766, [::]:8765 and [::1]:8767.
import { describe, expect, it } from "vitest";
import {
  connectAddress,
  parseListenerReport,
  parseProcNetTcp,
  REPORT_SECTIONS,
  sandboxListeners,
} from "./proc-net.ts";

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1347 1 00000000ee9d8ae6 100 0 0 10 0
   1: 0100007F:223E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6192550 1 0000000087122c7d 100 0 0 10 0
   2: 0100007F:B807 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6158619 1 00000000c9213eb7 100 0 0 10 0
   3: 0100007F:A11D 0100007F:C168 06 00000000:00000000 03:0000008D 00000000     0        0 0 3 00000000ad03be77
   4: 0100007F:A74C 0100007F:8467 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000026d49cff
`;

const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:223D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6192054 1 00000000d8bbf881 100 0 0 10 0
   1: 00000000000000000000000001000000:223F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6193408 1 00000000d8bbf881 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7000001 1 00000000d8bbf881 100 0 0 10 0
`;

function report(fds: string[], agentPid = 10): string {
  return [
    `${REPORT_SECTIONS.agent} ${agentPid}`,
    REPORT_SECTIONS.tcp,
    TCP,
    REPORT_SECTIONS.tcp6,
    TCP6,
    REPORT_SECTIONS.fds,
    ...fds,
  ].join("\n");
}

describe("parseProcNetTcp", () => {
  it("keeps LISTEN sockets only, with their address, port and inode", () => {
    expect(parseProcNetTcp(TCP, 4)).toEqual([
      { family: 4, address: "0.0.0.0", port: 2024, inode: 1347 },
      { family: 4, address: "127.0.0.1", port: 8766, inode: 6192550 },
      { family: 4, address: "127.0.0.1", port: 47111, inode: 6158619 },
    ]);
  });

  it("decodes IPv6 addresses: any, loopback and IPv4-mapped", () => {
    expect(parseProcNetTcp(TCP6, 6)).toEqual([
      { family: 6, address: "::", port: 8765, inode: 6192054 },
      { family: 6, address: "::1", port: 8767, inode: 6193408 },
      { family: 6, address: "::ffff:127.0.0.1", port: 8080, inode: 7000001 },
    ]);
  });

  it("ignores garbage, truncated lines and the wrong family's width", () => {
    const hostile = [
      "junk",
      "   9: 0100007F:223E",
      "   9: 0100007F:ZZZZ 00000000:0000 0A 0:0 0:0 0 0 0 5 1",
      "   9: 0100007F:0000 00000000:0000 0A 0:0 0:0 0 0 0 5 1",
      "   9: 0100007F:223E 00000000:0000 0A 0:0 0:0 0 0 0 0 1",
      "   9: 0100007F:223E 00000000:0000 0A 0:0 0:0 0 0 0 -3 1",
    ].join("\n");
    expect(parseProcNetTcp(hostile, 4)).toEqual([]);
    expect(parseProcNetTcp(TCP, 6)).toEqual([]);
    expect(parseProcNetTcp(TCP6, 4)).toEqual([]);
  });
});

describe("parseListenerReport and sandboxListeners", () => {
  it("maps socket inodes to the sandbox processes that hold them", () => {
    const parsed = parseListenerReport(
      report(["/proc/42/fd socket:[6192550]", "/proc/43/fd socket:[6192054]", "/proc/43/fd pipe:[1]"]),
    );
    expect(parsed.agentPid).toBe(10);
    expect(parsed.sockets).toHaveLength(6);
    expect([...parsed.owners]).toEqual([
      [6192550, 42],
      [6192054, 43],
    ]);
  });

  it("lists only ports held by sandbox processes; others' are foreign", () => {
    const listeners = sandboxListeners(
      parseListenerReport(report(["/proc/42/fd socket:[6192550]", "/proc/43/fd socket:[6193408]"])),
      [],
    );
    expect(listeners.ports).toEqual([
      { port: 8766, addresses: ["127.0.0.1"] },
      { port: 8767, addresses: ["::1"] },
    ]);
    // Held by nobody in the sandbox: the host's services (or pasta's forward to the studio).
    expect([...listeners.foreignPorts].sort()).toEqual([2024, 47111, 8080, 8765]);
  });

  it("never lists sandbox-agent's sockets nor the excluded ports", () => {
    const listeners = sandboxListeners(
      parseListenerReport(
        report(
          ["/proc/10/fd socket:[6192550]", "/proc/42/fd socket:[6193408]", "/proc/42/fd socket:[1347]"],
          10,
        ),
      ),
      [2024],
    );
    expect(listeners.ports).toEqual([{ port: 8767, addresses: ["::1"] }]);
    expect(listeners.foreignPorts.has(8766)).toBe(true);
    expect(listeners.foreignPorts.has(2024)).toBe(true);
  });

  it("refuses a port shared with a process outside the sandbox", () => {
    const shared = `${TCP}   5: 00000000:223F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0 100 0 0 10 0\n`;
    const text = report(["/proc/42/fd socket:[6193408]"]).replace(TCP, shared);
    const listeners = sandboxListeners(parseListenerReport(text), []);
    expect(listeners.ports.find((port) => port.port === 8767)).toBeUndefined();
    expect(listeners.foreignPorts.has(8767)).toBe(true);
  });

  it("survives an empty or hostile report", () => {
    expect(parseListenerReport("")).toEqual({ sockets: [], owners: new Map(), agentPid: null });
    const hostile = parseListenerReport(
      `${REPORT_SECTIONS.agent} x\n${REPORT_SECTIONS.fds}\n/proc/1/fd socket:[a]\n/etc/passwd socket:[5]\n`,
    );
    expect(hostile.agentPid).toBeNull();
    expect(hostile.owners.size).toBe(0);
  });
});

describe("connectAddress", () => {
  it("prefers IPv4 loopback, then IPv6 loopback, then the bound address", () => {
    expect(connectAddress({ port: 1, addresses: ["0.0.0.0", "::"] })).toEqual({
      host: "127.0.0.1",
      family: 4,
    });
    expect(connectAddress({ port: 1, addresses: ["::"] })).toEqual({ host: "::1", family: 6 });
    expect(connectAddress({ port: 1, addresses: ["10.0.2.15"] })).toEqual({ host: "10.0.2.15", family: 4 });
    expect(connectAddress({ port: 1, addresses: ["fe80::1"] })).toEqual({ host: "fe80::1", family: 6 });
  });
});
