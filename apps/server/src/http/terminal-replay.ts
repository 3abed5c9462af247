// Joining a terminal's replay (its recent output, read from sandbox-agent's log) to the live output
// that arrived while the log was read. Both come from the same PTY reads, chunk for chunk, so the
// chunks at the end of the replay that are also at the start of the live output are one output
// seen twice, and are sent once.

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** `replayed` then the part of `live` it does not already end with. */
export function joinReplay(replayed: Uint8Array[], live: Uint8Array[]): Uint8Array[] {
  const longest = Math.min(replayed.length, live.length);
  for (let overlap = longest; overlap > 0; overlap--) {
    const tail = replayed.slice(replayed.length - overlap);
    if (tail.every((chunk, index) => sameBytes(chunk, live[index]!)))
      return [...replayed, ...live.slice(overlap)];
  }
  return [...replayed, ...live];
}
