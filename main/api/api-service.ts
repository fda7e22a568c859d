import { randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";
import { z } from "zod";
import type { AppEvent } from "../../app/contract";
import {
  ApiServerSettingsSchema,
  type ApiServerFailureReason,
  type ApiServerSettings,
  type ApiServerSettingsPatch,
  type ApiServerStatus,
  type ApiRequestEntry,
} from "../../app/contract/server-api";
import type { Db } from "../storage/database";
import { readSetting, writeSetting } from "../storage/settings-table";
import { RequestLog } from "./request-log";
import type { ApiBackend } from "./route-context";
import { DEFAULT_API_PORT, startApiServer, type RunningApiServer } from "./server";

const SETTINGS_KEY = "apiServer";
const DEFAULT_SETTINGS: ApiServerSettings = { enabled: false, port: DEFAULT_API_PORT, bind: "loopback" };
const StoredSchema = ApiServerSettingsSchema.partial().extend({ key: z.string().min(16).optional() });

/** A fresh per-install key: 192 random bits. */
export function newApiKey(): string {
  return `m2d-${randomBytes(24).toString("base64url")}`;
}

function failureOf(error: unknown): { reason: ApiServerFailureReason; message: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "EADDRINUSE") return { reason: "port_in_use", message: `The port is already in use by another program (${message}).` };
  if (code === "EACCES") return { reason: "permission_denied", message: `Not allowed to listen on that port (${message}).` };
  return { reason: "bind_failed", message };
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === "IPv4" && !a.internal)
    .map((a) => a!.address);
}

export interface ApiServerServiceOptions {
  db: Db;
  backend: ApiBackend;
  publish: (event: AppEvent) => void;
  log: (level: string, message: string) => void;
  /** Queue bound of the server it starts (tests lower it). */
  queueLimit?: number;
}

/** For this run only: `m2d serve --api [--api-port N] [--api-key KEY]`, M2D_API_KEY. */
export interface ApiRunOverrides {
  port?: number;
  key?: string;
}

/**
 * The local API server as a setting of the app: on/off, port, bind and the per-install key, stored in
 * the data folder's settings; started with the host when enabled, and restarted when a setting changes.
 * The key is asked per request, so a regenerated key refuses the old one from the next request on.
 */
export class ApiServerService {
  readonly requests: RequestLog;
  private server: RunningApiServer | null = null;
  private failure: ApiServerStatus["error"] = null;
  private overrides: ApiRunOverrides & { forced?: boolean } = {};
  /** Starts and stops run one at a time, in order. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ApiServerServiceOptions) {
    this.requests = new RequestLog((request: ApiRequestEntry) => options.publish({ type: "apiServer.request", request }));
  }

  private stored(): z.infer<typeof StoredSchema> {
    const parsed = StoredSchema.safeParse(readSetting(this.options.db, SETTINGS_KEY) ?? {});
    return parsed.success ? parsed.data : {};
  }

  settings(): ApiServerSettings {
    const { key: _key, ...settings } = this.stored();
    return { ...DEFAULT_SETTINGS, ...settings };
  }

  /** The stored key, generated and saved the first time it is asked for. */
  private storedKey(): string {
    const stored = this.stored();
    if (stored.key) return stored.key;
    const key = newApiKey();
    writeSetting(this.options.db, SETTINGS_KEY, { ...stored, key });
    return key;
  }

  /** The key requests must send now. */
  key(): string {
    return this.overrides.key ?? this.storedKey();
  }

  status(): ApiServerStatus {
    const settings = this.settings();
    const port = this.server?.port;
    return {
      settings,
      key: this.key(),
      keySource: this.overrides.key !== undefined ? "override" : "settings",
      state: this.server ? "listening" : this.failure ? "failed" : "off",
      baseUrl: this.server?.baseUrl ?? null,
      lanUrls: this.server && settings.bind === "lan" ? lanAddresses().map((address) => `http://${address}:${port}/v1`) : [],
      error: this.failure,
    };
  }

  /** At the host's start: listens when the settings say so; a failure shows in the status (and the log). */
  resume(): Promise<ApiServerStatus> {
    return this.apply().catch(() => this.status());
  }

  /** `m2d serve --api`: listens now, whatever the settings say; throws when it cannot (the port is taken). */
  async startForRun(overrides: ApiRunOverrides): Promise<ApiServerStatus> {
    this.overrides = { ...overrides, forced: true };
    return this.apply();
  }

  async update(patch: ApiServerSettingsPatch): Promise<ApiServerStatus> {
    writeSetting(this.options.db, SETTINGS_KEY, { ...this.stored(), ...patch });
    // The user's choice replaces what the command line asked for this run.
    if (patch.port !== undefined) delete this.overrides.port;
    if (patch.enabled !== undefined) delete this.overrides.forced;
    return this.apply().catch(() => this.status());
  }

  regenerateKey(): ApiServerStatus {
    writeSetting(this.options.db, SETTINGS_KEY, { ...this.stored(), key: newApiKey() });
    // A key from the command line is replaced too: the one shown before stops working now.
    delete this.overrides.key;
    const status = this.status();
    this.publishStatus(status);
    return status;
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      await this.stop();
    });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Brings the server in line with the settings and overrides: stopped, or listening on the port and bind asked for. */
  private apply(): Promise<ApiServerStatus> {
    return this.serialized(async () => {
      const settings = this.settings();
      await this.stop();
      this.failure = null;
      if (settings.enabled || this.overrides.forced) {
        const port = this.overrides.port ?? settings.port;
        try {
          this.server = await startApiServer(this.options.backend, {
            port,
            host: settings.bind === "lan" ? "0.0.0.0" : "127.0.0.1",
            apiKey: () => this.key(),
            requestLog: this.requests,
            ...(this.options.queueLimit !== undefined ? { queueLimit: this.options.queueLimit } : {}),
          });
        } catch (error) {
          this.failure = failureOf(error);
          this.options.log("warn", `The API server could not listen on port ${port}: ${this.failure.message}`);
          this.publishStatus(this.status());
          throw error;
        }
      }
      const status = this.status();
      this.publishStatus(status);
      return status;
    });
  }

  private async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.close();
  }

  private publishStatus(status: ApiServerStatus): void {
    this.options.publish({ type: "apiServer.status", status });
  }
}
