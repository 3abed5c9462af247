import { MODEL_PROVIDERS } from "@studio/models";
import { z } from "zod";
import { endpointUrlProblem } from "./tenant-endpoint.ts";

/** Providers an organisation can hold a key for: the four direct ones, OpenRouter, and a custom endpoint. */
export const keyProviderSchema = z.enum(MODEL_PROVIDERS);
export type KeyProvider = z.infer<typeof keyProviderSchema>;

const apiKey = z
  .string()
  .trim()
  .min(8, { error: "That does not look like an API key." })
  .max(500)
  .regex(/^[\x21-\x7e]+$/, { error: "An API key has no spaces or unusual characters." });

export const setProviderKeyInput = z.discriminatedUnion("provider", [
  z.object({ provider: keyProviderSchema.exclude(["custom"]), apiKey }),
  z.object({
    provider: z.literal("custom"),
    /** The OpenAI-compatible endpoint, usually ending in /v1 (Ollama, vLLM, LM Studio). */
    baseUrl: z
      .url({
        protocol: /^https?$/,
        error: "Use an http(s) URL, e.g. http://localhost:11434/v1.",
        abort: true,
      })
      .max(500)
      .superRefine((value, ctx) => {
        const problem = endpointUrlProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    /** Optional: local servers often need none. */
    apiKey: apiKey.optional(),
  }),
]);
export type SetProviderKeyInput = z.infer<typeof setProviderKeyInput>;

export const providerKeyInput = z.object({ provider: keyProviderSchema });
