// The most a model call can cost, read from its request before it is sent: what a budget
// allowance holds for it until its real cost is known (budgets/allowances.ts). Its input cannot be
// more tokens than the body has bytes (every token of these tokenizers covers at least a byte, and
// inline images are base64, far more bytes than tokens), plus a margin for the tokens the provider
// adds around messages; its output cannot be more than the request's own cap, times the answers
// asked for. A call whose cost the body does not bound (no output cap, media or files referenced
// by address or id, documents, audio or video, an unpriced model) gets null, and is admitted by the
// exact read instead.
import { callCostMicroUsd, type PricePerMTok } from "@studio/core";
import { memberValue, NO_VALUE, type RootMembers, type WireFormat } from "./metering/index.ts";

/** Tokens a provider adds around the body's text (roles, turn markers, tool schemas' framing). */
const INPUT_TOKEN_MARGIN = 2_048;

/** Files the provider holds or fetches: their size is the provider's to decide, not the body's. */
const FILE_KEYS = ['"file_id"', '"file_url"', '"fileUri"', '"file_uri"', '"fileData"', '"file_data"'];
/** An image or document by address rather than inline (`data:`). */
const ADDRESSED_CONTENT = /"(?:url|image_url)"\s*:\s*"(?!data:)/;
/**
 * Inline content priced by its length rather than its bytes: a compressed PDF of blank pages is a
 * few bytes a page and hundreds of tokens, and audio and video are counted by the second.
 */
const LENGTH_PRICED_HINTS = [
  '"document"',
  '"input_audio"',
  '"input_file"',
  '"file"',
  'ime_type"',
  'imeType"',
];
const LENGTH_PRICED_CONTENT =
  /"type"\s*:\s*"(?:document|input_audio|input_file|file)"|"mime_?[tT]ype"\s*:\s*"(?!image\/)/;

/** The generationConfig fields that bound a Gemini call's output, each in both of its spellings. */
const GOOGLE_BOUNDING_FIELDS = [
  ["maxOutputTokens", "max_output_tokens"],
  ["candidateCount", "candidate_count"],
  ["thinkingConfig", "thinking_config"],
  ["thinkingBudget", "thinking_budget"],
];

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** A count the request may set, or `fallback` when it does not; null when it sets something else. */
function countOr(value: unknown, fallback: number | null): number | null {
  if (value === NO_VALUE || value === undefined || value === null) return fallback;
  return isCount(value) ? value : null;
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** The output tokens a request allows at most (every answer it asks for), or null when it sets no cap. */
export function maxOutputTokens(format: WireFormat, body: Buffer, root: RootMembers): number | null {
  const member = (key: string) => memberValue(body, root, key);
  if (format === "anthropic") return countOr(member("max_tokens"), null);
  if (format === "responses") return countOr(member("max_output_tokens"), null);
  if (format === "chat-completions") {
    const completion = countOr(member("max_completion_tokens"), 0);
    const legacy = countOr(member("max_tokens"), 0);
    const answers = countOr(member("n"), 1);
    if (completion === null || legacy === null || answers === null) return null;
    const cap = Math.max(completion, legacy);
    return cap === 0 ? null : cap * Math.max(answers, 1);
  }
  // Google: generationConfig (either spelling), whose thinking budget is counted on top of the cap.
  const configs = root.members.filter((m) => m.key === "generationConfig" || m.key === "generation_config");
  if (configs.length !== 1) return null;
  const raw = body.toString("utf8", configs[0]!.start, configs[0]!.end);
  // Parsers disagree on which of two copies of a field counts; the provider might read the larger.
  if (GOOGLE_BOUNDING_FIELDS.some((names) => names.reduce((n, name) => n + countOf(raw, `"${name}"`), 0) > 1))
    return null;
  const config = objectOf(member(configs[0]!.key));
  if (!config) return null;
  const cap = countOr(config.maxOutputTokens ?? config.max_output_tokens, null);
  const answers = countOr(config.candidateCount ?? config.candidate_count, 1);
  const thinking = objectOf(config.thinkingConfig ?? config.thinking_config);
  // -1 asks for a budget the model picks: not a bound.
  const thinkingBudget = thinking ? countOr(thinking.thinkingBudget ?? thinking.thinking_budget, 0) : 0;
  if (!cap || answers === null || thinkingBudget === null) return null;
  return (cap + thinkingBudget) * Math.max(answers, 1);
}

/** The call's cost at most, in micro-USD, as the ledger would charge it; null when the request does not bound it. */
export function worstCaseCostMicroUsd(
  format: WireFormat,
  body: Buffer,
  root: RootMembers,
  price: PricePerMTok | null,
  markupBps: number,
): bigint | null {
  if (!price) return null;
  const outputTokens = maxOutputTokens(format, body, root);
  if (outputTokens === null) return null;
  if (FILE_KEYS.some((key) => body.includes(key))) return null;
  if (
    LENGTH_PRICED_HINTS.some((hint) => body.includes(hint)) &&
    LENGTH_PRICED_CONTENT.test(body.toString("latin1"))
  )
    return null;
  // Only bodies naming an address field need the scan; most name none.
  if (
    (body.includes('"url"') || body.includes('"image_url"')) &&
    ADDRESSED_CONTENT.test(body.toString("latin1"))
  )
    return null;
  const inputTokens = body.length + INPUT_TOKEN_MARGIN;
  // Cached input is billed at its own price; whichever is dearer bounds every input token.
  const inputPerMTok =
    // biome-ignore lint/complexity/useMathMinMax: prices are bigints, which Math.max does not take
    price.cachedInputPerMTok > price.inputPerMTok ? price.cachedInputPerMTok : price.inputPerMTok;
  return callCostMicroUsd(
    { inputTokens, outputTokens, cachedTokens: 0 },
    { inputPerMTok, outputPerMTok: price.outputPerMTok, cachedInputPerMTok: inputPerMTok },
    markupBps,
  );
}
