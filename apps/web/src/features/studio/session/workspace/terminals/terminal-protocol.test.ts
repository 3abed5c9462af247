import { describe, expect, it } from "vitest";
import {
  inputFrame,
  parseServerMessage,
  reconnectDelay,
  resizeFrame,
  terminalSocketUrl,
} from "./terminal-protocol.ts";

describe("the terminal socket's protocol", () => {
  it("reads the server's text frames and ignores anything else", () => {
    expect(parseServerMessage('{"type":"ready","canType":true}')).toEqual({ type: "ready", canType: true });
    expect(parseServerMessage('{"type":"ready"}')).toEqual({ type: "ready", canType: false });
    expect(parseServerMessage('{"type":"ready","canType":"yes"}')).toEqual({ type: "ready", canType: false });
    expect(parseServerMessage('{"type":"exit","exitCode":3}')).toEqual({ type: "exit", exitCode: 3 });
    expect(parseServerMessage('{"type":"exit"}')).toEqual({ type: "exit", exitCode: null });
    expect(parseServerMessage('{"type":"error","message":"No."}')).toEqual({ type: "error", message: "No." });
    expect(parseServerMessage('{"type":"error","message":{}}')).toMatchObject({ type: "error" });
    for (const junk of ["", "not json", "null", "42", '"ready"', '{"type":"input","data":"x"}', "[]"])
      expect(parseServerMessage(junk)).toBeNull();
  });

  it("writes input and resize frames the server accepts", () => {
    expect(JSON.parse(inputFrame('echo "hi"\r'))).toEqual({ type: "input", data: 'echo "hi"\r' });
    expect(JSON.parse(resizeFrame(120, 40) ?? "")).toEqual({ type: "resize", cols: 120, rows: 40 });
    expect(JSON.parse(resizeFrame(900, 900) ?? "")).toEqual({ type: "resize", cols: 500, rows: 300 });
    expect(resizeFrame(1, 40)).toBeNull();
    expect(resizeFrame(80, 0)).toBeNull();
    expect(resizeFrame(Number.NaN, 24)).toBeNull();
    expect(resizeFrame(80.5, 24)).toBeNull();
  });

  it("connects on the page's own origin, wss under https", () => {
    expect(terminalSocketUrl({ protocol: "http:", host: "localhost:3000" }, "s1", "t1")).toBe(
      "ws://localhost:3000/api/sessions/s1/terminals/t1/socket",
    );
    expect(terminalSocketUrl({ protocol: "https:", host: "studio.example" }, "s/1", "t?1")).toBe(
      "wss://studio.example/api/sessions/s%2F1/terminals/t%3F1/socket",
    );
  });

  it("backs off, doubling up to ten seconds, with jitter", () => {
    expect(reconnectDelay(1, 0.5)).toBe(500);
    expect(reconnectDelay(2, 0.5)).toBe(1000);
    expect(reconnectDelay(4, 0.5)).toBe(4000);
    expect(reconnectDelay(10, 0.5)).toBe(10_000);
    expect(reconnectDelay(30, 0.5)).toBe(10_000);
    expect(reconnectDelay(1, 0)).toBe(400);
    expect(reconnectDelay(1, 0.999)).toBeLessThanOrEqual(600);
  });
});
