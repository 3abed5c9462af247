// The formats and which provider serves which are written once, in @studio/models.
export type { WireFormat } from "@studio/models";

/**
 * Token counts in one neutral shape (the scripted model server's convention): `inputTokens` is the
 * whole prompt, cached part included; `outputTokens` the whole output, reasoning included.
 */
export interface MeteredUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

export interface MeterResult {
  /**
   * Usage from the provider's response, or null if none was seen. When the stream ended before
   * the format's final usage report (`complete: false`), this holds what the provider reported so
   * far (Anthropic's message_start input, Google's prompt count) with `outputTokens` raised to the
   * estimate from `outputChars` if that is larger.
   */
  reported: MeteredUsage | null;
  /** True when `reported` comes from the format's final usage report. */
  complete: boolean;
  /** The model the response names, if any. */
  model: string | null;
  /** Characters of generated text, reasoning and tool arguments seen (for estimates). */
  outputChars: number;
}

/** Fed the upstream response bytes as they pass through. */
export interface UsageMeter {
  push(chunk: Buffer): void;
  result(): MeterResult;
}
