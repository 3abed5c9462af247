import { z } from "zod";

const id = z.string().min(1).max(64);

/** What a terminal is called in its tab; the studio numbers it when none is given. */
export const terminalNameSchema = z
  .string()
  .trim()
  .min(1, "Give the terminal a name.")
  .max(60, "A terminal's name has at most 60 characters.")
  .refine((name) => !/[\p{Cc}]/u.test(name), "A terminal's name cannot contain control characters.");

export const terminalSizeSchema = z.object({
  cols: z.number().int().min(2).max(500),
  rows: z.number().int().min(2).max(300),
});

export const listTerminalsInput = z.object({ sessionId: id });
export const openTerminalInput = z.object({
  sessionId: id,
  name: terminalNameSchema.optional(),
  size: terminalSizeSchema.default({ cols: 80, rows: 24 }),
});
export const renameTerminalInput = z.object({ sessionId: id, terminalId: id, name: terminalNameSchema });
export const closeTerminalInput = z.object({ sessionId: id, terminalId: id });
