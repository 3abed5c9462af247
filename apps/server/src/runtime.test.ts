import { describe, expect, it } from "vitest";
import { loopbackPortsOf } from "./runtime.ts";

describe("loopbackPortsOf", () => {
  it("is the gateway's port when sandboxes reach it on this machine's loopback", () => {
    expect(loopbackPortsOf("http://127.0.0.1:3000/api/llm")).toEqual([3000]);
    expect(loopbackPortsOf("http://localhost:4100/api/llm")).toEqual([4100]);
    expect(loopbackPortsOf("http://[::1]:4200/api/llm")).toEqual([4200]);
    expect(loopbackPortsOf("http://127.0.0.1/api/llm")).toEqual([80]);
  });

  it("is nothing when the gateway is elsewhere: that is reached like the internet", () => {
    expect(loopbackPortsOf("https://studio.example.com/api/llm")).toEqual([]);
    expect(loopbackPortsOf("http://192.0.2.10:3000/api/llm")).toEqual([]);
  });
});
