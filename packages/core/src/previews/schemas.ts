import { z } from "zod";

export const listPreviewPortsInput = z.object({ sessionId: z.string().min(1).max(64) });

/** How long a shared preview link may open its preview: five minutes to a week. */
export const PREVIEW_SHARE_MINUTES = { min: 5, max: 7 * 24 * 60, default: 24 * 60 } as const;

export const sharePreviewInput = z.object({
  sessionId: z.string().min(1).max(64),
  port: z.number().int().min(1).max(65_535),
  expiresInMinutes: z
    .number()
    .int()
    .min(PREVIEW_SHARE_MINUTES.min)
    .max(PREVIEW_SHARE_MINUTES.max)
    .default(PREVIEW_SHARE_MINUTES.default),
});
