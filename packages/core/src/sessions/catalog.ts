// What a new session can be started with, as the organisation sees it: the agents it can run with
// the providers each can use (and why not the others), every catalogue provider and model with
// whether the organisation can use it now (and why not), and for the custom endpoint the models it
// lists.
import type { DbTx } from "@studio/db";
import {
  agentProviders,
  agentRouteProblem,
  CATALOG,
  DEFAULT_AGENT,
  DEFAULT_MODEL,
  DEFAULT_PROVIDER,
  runnableAgentProfiles,
  WIRE_FORMAT_NAMES,
} from "@studio/models";
import type { EndpointModels } from "../keys/endpoint-models.ts";
import { catalogAvailability } from "./model-access.ts";

export async function sessionCatalog(
  db: DbTx,
  organizationId: string,
  options: {
    platformProviders: ReadonlySet<string>;
    /** What the organisation's OpenAI-compatible endpoint lists (`GET /models`); null without one. */
    endpointModels(organizationId: string): Promise<EndpointModels | null>;
  },
) {
  const { byModel, custom } = await catalogAvailability(db, organizationId, options.platformProviders);
  // Only an endpoint the organisation can use is asked; it answers within a few seconds or is
  // reported as unreachable, and the answer is kept briefly (gateway/model-listing.ts).
  const endpointModels = custom.available ? await options.endpointModels(organizationId) : null;
  return {
    defaultAgent: DEFAULT_AGENT,
    agents: runnableAgentProfiles().map((profile) => ({
      id: profile.id,
      name: profile.name,
      description: profile.description,
      wireFormats: profile.wireFormats.map((format) => WIRE_FORMAT_NAMES[format]),
      supports: { ...profile.supports, modes: profile.supports.modes.map((mode) => ({ ...mode })) },
      /** Every provider, in display order, with whether its gateway route can serve the agent. */
      providers: agentProviders(profile.id).map((fit) =>
        fit.usable
          ? { id: fit.provider, usable: true, reason: null, caveat: fit.caveat }
          : { id: fit.provider, usable: false, reason: fit.reason, caveat: null },
      ),
      /**
       * Models the organisation can use, but not with this agent: their calls would go through a
       * route (OpenRouter) that does not carry the agent's model API.
       */
      unusableModels: agentProviders(profile.id).flatMap((fit) =>
        fit.usable
          ? fit.models.flatMap((model) => {
              const access = byModel.get(`${fit.provider}/${model}`);
              const reason =
                access?.available && agentRouteProblem(profile.id, fit.provider, access.upstreamProvider);
              return reason ? [{ provider: fit.provider, model, reason }] : [];
            })
          : [],
      ),
    })),
    defaultProvider: DEFAULT_PROVIDER,
    defaultModel: DEFAULT_MODEL,
    providers: CATALOG.filter((provider) => provider.id !== "openrouter").map((provider) => {
      const models = provider.models.map((model) => ({
        id: model.id,
        name: model.name,
        tier: model.tier,
        contextLimit: model.contextLimit,
        access: byModel.get(`${provider.id}/${model.id}`) ?? custom,
      }));
      const access = provider.freeformModels ? custom : null;
      const available = access ? access.available : models.some((model) => model.access.available);
      const firstReason = (access ?? models.find((model) => !model.access.available)?.access) as
        | { reason?: string }
        | undefined;
      return {
        id: provider.id,
        name: provider.name,
        freeformModels: provider.freeformModels,
        available,
        /** For freeform providers (custom endpoint): whether the endpoint can be used. */
        access,
        /**
         * For freeform providers: the models the endpoint lists (any other id may still be typed),
         * or why it could not be listed; null when there is no usable endpoint.
         */
        endpointModels: provider.freeformModels ? endpointModels : null,
        unavailableReason: available ? null : (firstReason?.reason ?? "Not available."),
        models,
      };
    }),
  };
}

export type SessionCatalog = Awaited<ReturnType<typeof sessionCatalog>>;
