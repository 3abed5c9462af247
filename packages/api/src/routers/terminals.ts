// Terminals on the session page: list, open, rename, close (core's packages/core/src/terminals
// decides who may). The bytes themselves flow over the terminal socket (apps/server), not here.
import {
  closeTerminal,
  closeTerminalInput,
  listTerminals,
  listTerminalsInput,
  openTerminal,
  openTerminalInput,
  renameTerminal,
  renameTerminalInput,
} from "@studio/core";
import { z } from "zod";
import { terminalListOutput, terminalOutput } from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

export const terminalsRouter = router({
  /** The session's open terminals, and whether the caller may type in them (else only watch). */
  list: orgProcedure
    .input(listTerminalsInput)
    .output(terminalListOutput)
    .query(({ ctx, input }) => listTerminals(ctx.db, ctx.actor, input.sessionId)),

  /** A new shell on a PTY in the session's workspace. */
  open: orgProcedure
    .input(openTerminalInput)
    .output(terminalOutput)
    .mutation(({ ctx, input }) => openTerminal(ctx.db, ctx.sessions.terminals, ctx.actor, input)),

  rename: orgProcedure
    .input(renameTerminalInput)
    .output(terminalOutput)
    .mutation(({ ctx, input }) => renameTerminal(ctx.db, ctx.actor, input)),

  /** Ends the terminal's shell and everything it started. */
  close: orgProcedure
    .input(closeTerminalInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await closeTerminal(ctx.db, ctx.sessions.terminals, ctx.actor, input);
      return { ok: true as const };
    }),
});
