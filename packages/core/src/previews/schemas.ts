import { z } from "zod";

export const listPreviewPortsInput = z.object({ sessionId: z.string().min(1).max(64) });
