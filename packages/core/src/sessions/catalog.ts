// What a new session can be started with, as the organisation sees it: every catalogue provider and
// model with whether the organisation can use it now (and why not), and for the custom endpoint the
// models it lists.
import type { DbTx } from "@studio/db";
import { CATALOG, DEFAULT_MODEL, DEFAULT_PROVIDER } from "@studio/models";
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
