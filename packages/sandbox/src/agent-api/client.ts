// A typed client for the parts of sandbox-agent 0.4.2's HTTP API the studio uses on a workspace
// (processes and files), beside ACP on the same server with the same token and fetch. It works
// the same for every provider because it uses only that API.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { StringDecoder } from "node:string_decoder";
import type { SandboxHandle } from "../types.ts";
import { errorFromResponse, WorkspaceApiError } from "./errors.ts";
import { rebaseHardLinks } from "./hard-links.ts";

export type WorkspaceApiTarget = Pick<SandboxHandle, "agentUrl" | "agentToken" | "agentFetch">;

export interface WorkspaceRunOptions {
  /** Absolute directory inside the sandbox; default: sandbox-agent's own (the sandbox's home). */
  cwd?: string;
  /** Added to sandbox-agent's environment (PATH, HOME… stay). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Per stream; what is beyond is dropped and `stdoutTruncated`/`stderrTruncated` say so. */
  maxOutputBytes?: number;
}

export interface WorkspaceRunResult {
  /** null when the process did not exit by itself (timed out, killed by a signal). */
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
}

export interface WorkspaceStreamingRunOptions extends WorkspaceRunOptions {
  /** Output as it arrives (decoded as UTF-8), at most once per poll and stream. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** How often to ask for new output and the process's state. Default 250 ms. */
  pollMs?: number;
}

export interface WorkspaceUploadResult {
  paths: string[];
  truncated: boolean;
}

export interface WorkspaceApi {
  /** Runs a command to its end: `POST /v1/processes/run`. */
  run(command: string, args: string[], options?: WorkspaceRunOptions): Promise<WorkspaceRunResult>;
  /**
   * Runs a command and reports its output while it runs (a clone's progress). The result is the
   * same as `run`'s.
   */
  runStreaming(
    command: string,
    args: string[],
    options?: WorkspaceStreamingRunOptions,
  ): Promise<WorkspaceRunResult>;
  /** Extracts a tar stream under `dir` (created if missing); the body is streamed, not buffered. */
  uploadTar(dir: string, body: Readable): Promise<WorkspaceUploadResult>;
  /** A file's bytes as a stream (not buffered). Fails (404-like 400) when it does not exist. */
  readFile(path: string): Promise<Readable>;
  /** Removes a file, or a directory with everything in it. */
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
}

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

interface LogEntry {
  sequence: number;
  stream: "stdout" | "stderr";
  data: string;
  encoding?: string;
}

interface ProcessInfo {
  id: string;
  status: string;
  exitCode?: number | null;
}

export function workspaceApi(target: WorkspaceApiTarget): WorkspaceApi {
  const doFetch = target.agentFetch ?? fetch;
  const base = target.agentUrl.replace(/\/+$/, "");
  const auth: Record<string, string> = target.agentToken
    ? { authorization: `Bearer ${target.agentToken}` }
    : {};

  async function request(what: string, url: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(`${base}${url}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
    } catch (error) {
      throw new WorkspaceApiError(0, `${what} failed: the sandbox did not answer (${(error as Error).name})`);
    }
    if (!response.ok) throw await errorFromResponse(response, what);
    return response;
  }

  async function json<T>(what: string, url: string, method: string, body?: unknown): Promise<T> {
    const response = await request(what, url, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    return (await response.json()) as T;
  }

  const query = (path: string) => `?path=${encodeURIComponent(path)}`;

  async function run(
    command: string,
    args: string[],
    options: WorkspaceRunOptions = {},
  ): Promise<WorkspaceRunResult> {
    const result = await json<WorkspaceRunResult>(
      "Running a command in the sandbox",
      "/v1/processes/run",
      "POST",
      {
        command,
        args,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        ...(options.env ? { env: options.env } : {}),
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      },
    );
    return { ...result, exitCode: result.exitCode ?? null };
  }

  // Why polling: verified against 0.4.2, `GET /v1/processes/{id}/logs?follow=true` (SSE) streams
  // the output but never ends when the process exits (only keep-alive comments follow), so its end
  // must be learned apart anyway. Polling the state and `logs?since=<last sequence>` needs no SSE
  // parsing, and reading the state BEFORE the logs makes the last poll see all output.
  async function runStreaming(
    command: string,
    args: string[],
    options: WorkspaceStreamingRunOptions = {},
  ): Promise<WorkspaceRunResult> {
    const started = Date.now();
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const pollMs = options.pollMs ?? 250;
    const what = "Running a command in the sandbox";
    const created = await json<ProcessInfo>(what, "/v1/processes", "POST", {
      command,
      args,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    const id = encodeURIComponent(created.id);
    const out = {
      stdout: { text: "", bytes: 0, truncated: false, decoder: new StringDecoder("utf8") },
      stderr: { text: "", bytes: 0, truncated: false, decoder: new StringDecoder("utf8") },
    };
    let since = 0;
    let timedOut = false;
    let exitCode: number | null = null;
    try {
      for (;;) {
        const state = await json<ProcessInfo>(what, `/v1/processes/${id}`, "GET");
        const logs = await json<{ entries: LogEntry[] }>(
          what,
          `/v1/processes/${id}/logs?since=${since}`,
          "GET",
        );
        const fresh = { stdout: "", stderr: "" };
        for (const entry of logs.entries) {
          since = Math.max(since, entry.sequence);
          const sink = out[entry.stream];
          if (!sink) continue;
          const bytes = Buffer.from(entry.data, entry.encoding === "base64" ? "base64" : "utf8");
          const room = limit - sink.bytes;
          if (room <= 0) {
            sink.truncated = true;
            continue;
          }
          const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
          if (kept.length < bytes.length) sink.truncated = true;
          sink.bytes += kept.length;
          const text = sink.decoder.write(kept);
          sink.text += text;
          fresh[entry.stream] += text;
        }
        for (const stream of ["stderr", "stdout"] as const) {
          if (fresh[stream]) options.onOutput?.(stream, fresh[stream]);
        }
        if (state.status !== "running") {
          exitCode = timedOut ? null : (state.exitCode ?? null);
          break;
        }
        if (!timedOut && Date.now() - started > timeoutMs) {
          timedOut = true;
          await request(what, `/v1/processes/${id}/kill`, { method: "POST" }).catch(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    } finally {
      // Its record and logs stay in sandbox-agent until deleted; kill first in case we failed mid-way.
      if (exitCode === null && !timedOut) {
        await request(what, `/v1/processes/${id}/kill`, { method: "POST" }).catch(() => {});
      }
      await request(what, `/v1/processes/${id}`, { method: "DELETE" }).catch(() => {});
    }
    return {
      exitCode,
      timedOut,
      stdout: out.stdout.text + out.stdout.decoder.end(),
      stderr: out.stderr.text + out.stderr.decoder.end(),
      stdoutTruncated: out.stdout.truncated,
      stderrTruncated: out.stderr.truncated,
      durationMs: Date.now() - started,
    };
  }

  async function uploadTar(dir: string, body: Readable): Promise<WorkspaceUploadResult> {
    const response = await request("Uploading files into the sandbox", `/v1/fs/upload-batch${query(dir)}`, {
      method: "POST",
      headers: { "content-type": "application/x-tar" },
      body: Readable.toWeb(rebaseHardLinks(body, dir)) as ReadableStream<Uint8Array>,
      // Required by fetch for a streamed request body.
      duplex: "half",
    } as RequestInit);
    return (await response.json()) as WorkspaceUploadResult;
  }

  async function readFile(path: string): Promise<Readable> {
    const response = await request("Reading a file in the sandbox", `/v1/fs/file${query(path)}`);
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async function remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const recursive = options.recursive ? "&recursive=true" : "";
    const response = await request(
      "Removing a file in the sandbox",
      `/v1/fs/entry${query(path)}${recursive}`,
      {
        method: "DELETE",
      },
    );
    await response.body?.cancel();
  }

  return { run, runStreaming, uploadTar, readFile, remove };
}
