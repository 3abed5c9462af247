// Previews on the session page: the ports the session's sandbox listens on, each with the link
// that opens it through the studio's preview proxy (apps/server/src/http/preview-proxy.ts).
import {
  listPreviewPorts,
  listPreviewPortsInput,
  maySharePreviews,
  previewUrl,
  sharePreview,
  sharePreviewInput,
} from "@studio/core";
import { z } from "zod";
import { orgProcedure, router } from "../trpc.ts";

const previewPortsOutput = z.object({
  ports: z.array(z.object({ port: z.number().int(), url: z.string() })),
  /** Whether this person may make shared links to them (organisation setting, role, preview domain). */
  shareable: z.boolean(),
});

export const previewsRouter = router({
  /** Detected, not typed: what the sandbox's own processes listen on right now. */
  ports: orgProcedure
    .input(listPreviewPortsInput)
    .output(previewPortsOutput)
    .query(async ({ ctx, input }) => {
      const ports = await listPreviewPorts(ctx.db, ctx.sessions.previews, ctx.actor, input.sessionId);
      const studio = { publicUrl: ctx.publicUrl, previewDomain: ctx.sessions.previews.domain };
      return {
        ports: ports.map((port) => ({ port, url: previewUrl(studio, input.sessionId, port) })),
        shareable: await maySharePreviews(ctx.db, studio, ctx.actor, input.sessionId),
      };
    }),
  /** A signed, expiring link that opens one port's preview for whoever holds it (if the organisation allows). */
  share: orgProcedure
    .input(sharePreviewInput)
    .output(z.object({ url: z.string(), expiresAt: z.date() }))
    .mutation(({ ctx, input }) =>
      sharePreview(
        ctx.db,
        ctx.keys.keyring,
        { publicUrl: ctx.publicUrl, previewDomain: ctx.sessions.previews.domain },
        ctx.actor,
        input,
      ),
    ),
});
