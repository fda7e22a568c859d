import { z } from "zod";

/** The local OpenAI/Anthropic API server's part of the contract: its settings, key, status and request log. */

/** Loopback only, or every interface (the LAN), an explicit opt-in that still requires the key. */
export const ApiBindSchema = z.enum(["loopback", "lan"]);
export type ApiBind = z.infer<typeof ApiBindSchema>;

const Port = z.number().int().min(0).max(65535);

/** What the user sets; stored in the data folder's settings (key "apiServer") with the key. */
export const ApiServerSettingsSchema = z.object({
  /** Started with the host when true. */
  enabled: z.boolean(),
  /** 0: any free port (the status says which). */
  port: Port,
  bind: ApiBindSchema,
});
export type ApiServerSettings = z.infer<typeof ApiServerSettingsSchema>;

export const ApiServerSettingsPatchSchema = ApiServerSettingsSchema.partial().strict();
export type ApiServerSettingsPatch = z.infer<typeof ApiServerSettingsPatchSchema>;

/** Why the server is not listening although it is enabled. */
export const ApiServerFailureReasonSchema = z.enum(["port_in_use", "permission_denied", "bind_failed"]);
export type ApiServerFailureReason = z.infer<typeof ApiServerFailureReasonSchema>;

export const ApiServerStatusSchema = z.object({
  settings: ApiServerSettingsSchema,
  /** The key every request must send (`Authorization: Bearer KEY` or `x-api-key: KEY`). */
  key: z.string().min(1),
  /** "override": M2D_API_KEY or --api-key set it for this run; regenerating changes only the stored one. */
  keySource: z.enum(["settings", "override"]),
  state: z.enum(["off", "listening", "failed"]),
  /** `http://127.0.0.1:N/v1` while listening. */
  baseUrl: z.string().nullable(),
  /** The LAN addresses clients on other machines use, when bound to the LAN. */
  lanUrls: z.array(z.string()),
  error: z.object({ reason: ApiServerFailureReasonSchema, message: z.string() }).nullable(),
});
export type ApiServerStatus = z.infer<typeof ApiServerStatusSchema>;

/** Which endpoint a logged request hit. */
export const ApiEndpointSchema = z.enum(["chat.completions", "responses", "messages", "count_tokens", "models", "other"]);
export type ApiEndpoint = z.infer<typeof ApiEndpointSchema>;

const Count = z.number().int().nonnegative();

/** One request in the live log; sent again as it progresses. */
export const ApiRequestEntrySchema = z.object({
  id: z.string().min(1).max(64),
  startedAt: z.number(),
  endpoint: ApiEndpointSchema,
  method: z.string(),
  path: z.string(),
  /** The model that answered (null before it is known, or for requests that name none). */
  model: z.string().nullable(),
  stream: z.boolean(),
  promptTokens: Count.nullable(),
  cachedTokens: Count.nullable(),
  generatedTokens: Count.nullable(),
  tokensPerSecond: z.number().nonnegative().nullable(),
  state: z.enum(["running", "done", "failed", "cancelled"]),
  /** The HTTP status answered (null while running). */
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nonnegative().nullable(),
});
export type ApiRequestEntry = z.infer<typeof ApiRequestEntrySchema>;

const Empty = z.object({}).strict();

export const serverMethods = {
  "apiServer.status": { params: Empty, result: ApiServerStatusSchema },
  /** Saves the settings and applies them at once (starts, stops or restarts the server). */
  "apiServer.update": { params: ApiServerSettingsPatchSchema, result: ApiServerStatusSchema },
  /** A new random key, stored; the old one is refused from the next request on. */
  "apiServer.regenerateKey": { params: Empty, result: ApiServerStatusSchema },
  /** The recent requests, oldest first. */
  "apiServer.requests": { params: Empty, result: z.object({ requests: z.array(ApiRequestEntrySchema) }) },
  /** Stops a running request as if its client had gone away; not_found when it is not running. */
  "apiServer.cancelRequest": { params: z.object({ id: z.string().min(1).max(64) }).strict(), result: Empty },
} as const;

export const serverEventSchemas = [
  z.object({ type: z.literal("apiServer.status"), status: ApiServerStatusSchema }),
  z.object({ type: z.literal("apiServer.request"), request: ApiRequestEntrySchema }),
] as const;
