import { describe, expect, it } from "vitest";
import { joinReplay } from "./terminal-replay.ts";

const chunks = (...texts: string[]) => texts.map((text) => Buffer.from(text));
const text = (joined: Uint8Array[]) => joined.map((chunk) => Buffer.from(chunk).toString()).join("|");

describe("joining a terminal's replay to its live output", () => {
  it("sends output that was both logged and streamed during the replay once", () => {
    expect(text(joinReplay(chunks("$ ", "ls\r\n", "a b\r\n"), chunks("ls\r\n", "a b\r\n", "$ ")))).toBe(
      "$ |ls\r\n|a b\r\n|$ ",
    );
    expect(text(joinReplay(chunks("one", "two"), chunks("two")))).toBe("one|two");
    expect(text(joinReplay(chunks("one", "two"), chunks("one", "two")))).toBe("one|two");
  });

  it("keeps everything when nothing overlaps, or either side is empty", () => {
    expect(text(joinReplay(chunks("one", "two"), chunks("three")))).toBe("one|two|three");
    // "two" again, but not where the replay ends: new output.
    expect(text(joinReplay(chunks("two", "one"), chunks("two")))).toBe("two|one|two");
    expect(text(joinReplay([], chunks("live")))).toBe("live");
    expect(text(joinReplay(chunks("old"), []))).toBe("old");
  });
});
