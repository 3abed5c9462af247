// The models an OpenAI-compatible endpoint lists (`GET <baseUrl>/models`), as the config bar offers
// them. The answer comes from a server the organisation (or the operator) runs, so it is read as
// untrusted input: only the OpenAI list format is accepted, ids are bounded, and a listing that
// cannot be had is a state with a sentence, never an error that takes the catalogue down with it.
import { z } from "zod";

/** More than any model server lists; the rest is dropped rather than sent to every browser. */
export const MAX_LISTED_MODELS = 500;
const MAX_MODEL_ID_LENGTH = 200;

/** OpenAI's list format, `{ data: [{ id }] }`; Ollama, vLLM, LM Studio and llama.cpp answer with it. */
const openAiModelList = z.object({ data: z.array(z.unknown()) });
/** The id is kept exactly as listed: it is what the endpoint expects back. */
const modelEntry = z.object({
  id: z
    .string()
    .max(MAX_MODEL_ID_LENGTH)
    .refine((id) => id.trim() !== ""),
});

/** What the catalogue says about the endpoint's models: the list, or why there is none. */
export const endpointModelsSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), models: z.array(z.string()) }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);
export type EndpointModels = z.infer<typeof endpointModelsSchema>;

const unreadable = (why: string): EndpointModels => ({
  ok: false,
  reason: `The endpoint's answer to GET /models is not a model list (${why}).`,
});

/**
 * The model ids in an endpoint's answer, in its order, without duplicates. An answer in another
 * shape is refused as a whole: a server that answers nonsense is reported, not half-believed.
 */
export function parseModelList(body: string): EndpointModels {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return unreadable("not JSON");
  }
  const parsed = openAiModelList.safeParse(json);
  if (!parsed.success) return unreadable("no `data` list");
  const models: string[] = [];
  const seen = new Set<string>();
  for (const item of parsed.data.data) {
    const entry = modelEntry.safeParse(item);
    if (!entry.success) return unreadable("an entry without a usable `id`");
    const { id } = entry.data;
    if (seen.has(id)) continue;
    seen.add(id);
    models.push(id);
    if (models.length === MAX_LISTED_MODELS) break;
  }
  return { ok: true, models };
}
