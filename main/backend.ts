import { AppError, type AppEvent } from "../app/contract";
import type { EngineSupervisor } from "./engine/supervisor";
import type { SpawnEngine } from "./engine/engine-child";
import { createEngineStack } from "./engine/engine-stack";
import { createRouter, type Dispatch } from "./router/router";
import { EventHub } from "./router/event-hub";
import { databasePath, logFilePath } from "./paths";
import { diagnosticsReport } from "./diagnostics/report";
import { describeError } from "./log/app-log";
import { readHubSettings } from "./downloads/settings";
import type { GenerationService } from "./services/generation-service";
import type { ModelService } from "./services/model-service";
import { ChatService } from "./services/chat-service";
import { AgentService } from "./services/agent-service";
import { engineContextMeter } from "./services/agent-compaction";
import { DownloadService } from "./services/download-service";
import { gpusOf } from "./services/model-fit";
import { downloadHandlers } from "./router/download-handlers";
import { pickWorkspace, type PickFolder } from "./services/workspace-picker";
import { saveAppMcpConfig } from "./agent/mcp/config";
import { approveWorkspaceMcp, listMcpServers, revokeWorkspaceMcp, workspaceMcpConsent } from "./agent/mcp/service";
import { chatHandlers } from "./router/chat-handlers";
import { recoverInterrupted } from "./chat/stream-writer";
import { startPurgeTimer } from "./chat/purge-timer";
import { openDatabase, schemaVersion, type Db } from "./storage/database";
import { APP_VERSION } from "./version";
import { assertLoadable } from "./services/load-gate";
import { LoadFailures } from "./services/load-failures";
import { systemMemory } from "../node/system/memory";
import { resolveWorkspaceRoot } from "./agent/workspace";
import type { ArtifactOrigin } from "./host/artifact-origin";
import { hideFromSandboxes } from "./agent/sandbox/private-paths";
import { acquireDataLock, type DataLock } from "./storage/data-lock";
import type { DataFolderOwnerKind, LoadOptions, LoadedModel } from "../app/contract";
import { ApiServerService } from "./api/api-service";
import { AttemptsService, type AttemptsVerification } from "./services/attempts-service";
import { detectTestCommand } from "./agent/attempts/detect-test-command";
import { runTestCommand } from "./agent/attempts/test-runner";
import { rankAttempts } from "./agent/attempts/rank";
import { scoreAttempt } from "./agent/attempts/verifier";

export interface BackendOptions {
  dataDir: string;
  spawnEngine: SpawnEngine;
  sqliteNativeBinding?: string;
  /** The desktop's folder dialog (Electron only). */
  pickFolder?: PickFolder;
  /** Warnings, info, engine output and unexpected errors with their stacks; hosts pass openAppLog(dataDir).log. */
  log?: (level: string, message: string) => void;
  /** Where artifact previews are served (the headless host's second origin); without it the UI falls back to srcdoc. */
  artifacts?: Pick<ArtifactOrigin, "grant">;
  /** The engine watchdog's limit; tests shorten it. */
  heartbeatTimeoutMs?: number;
  /** Who holds the data folder's lock while this backend runs (named to a second program); "cli" if unsaid. */
  ownerKind?: DataFolderOwnerKind;
  /** Replaces parts of the attempts' verification (tests pass their own test runner's timeout, say). */
  attemptsVerification?: Partial<AttemptsVerification>;
}

export interface Backend {
  dispatch: Dispatch;
  events: EventHub;
  engine: EngineSupervisor;
  models: ModelService;
  generations: GenerationService;
  chat: ChatService;
  agent: AgentService;
  downloads: DownloadService;
  /** The local OpenAI/Anthropic API server: its settings, key and request log. */
  apiServer: ApiServerService;
  /** Best-of-N agent attempts. */
  attempts: AttemptsService;
  /** A model load as the UI asks for it: refused until a download is verified, then loaded and marked used. */
  loadModel(path: string, options?: LoadOptions): Promise<LoadedModel>;
  db: Db;
  /** This backend's hold on the data folder; a host advertises its URL here. */
  dataLock: DataLock;
  close(): Promise<void>;
}

/**
 * Wires the services to the router. Electron's main process and the headless host both call this.
 * Throws `data_dir_in_use` when another backend holds the data folder: it resumes downloads and writes the database.
 */
export function createBackend(options: BackendOptions): Backend {
  const dataLock = acquireDataLock(options.dataDir, options.ownerKind ?? "cli");
  try {
    return wireBackend(options, dataLock);
  } catch (error) {
    dataLock.release();
    throw error;
  }
}

/** Best-of-N verification: the workspace's test command, run in the agent's sandbox and parsed, and R2E-Gym's ranking. */
const defaultAttemptsVerification: AttemptsVerification = { detectTestCommand, runTests: runTestCommand, rank: rankAttempts };

function wireBackend(options: BackendOptions, dataLock: DataLock): Backend {
  const startedAt = Date.now();
  const log = options.log ?? ((level, message) => console.error(`[${level}] ${message}`));
  // Settings, the Hub token and checkpoints: never visible to a sandboxed command, wherever they are.
  hideFromSandboxes(options.dataDir);
  const dbPath = databasePath(options.dataDir);
  const db = openDatabase({ path: dbPath, nativeBinding: options.sqliteNativeBinding });
  const events = new EventHub();
  const publish = (event: AppEvent) => events.publish(event);

  const { engine, models, generations } = createEngineStack({
    spawn: options.spawnEngine,
    publish,
    loadFailures: new LoadFailures(db),
    log,
    ...(options.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
  });
  // Answers a crash cut short are kept, marked interrupted, before anything else reads them.
  const recovered = recoverInterrupted(db);
  if (recovered > 0) log("info", `Marked ${recovered} unfinished answer(s) as interrupted.`);
  const chat = new ChatService(db, models, generations, publish);
  events.subscribe((event) => {
    if (event.type === "generation.event") chat.onGenerationEvent(event.generationId, event.event);
  });
  const agent = new AgentService(db, chat, options.dataDir, publish, engineContextMeter(models, engine));
  // The execution-free verifier: the loaded model's p(YES) for each attempt, through the engine's score op.
  const verifierEngine = { score: generations.score.bind(generations), contextSize: () => models.current()?.contextSize ?? null };
  const attempts = new AttemptsService(db, agent, options.dataDir, publish, {
    ...defaultAttemptsVerification,
    score: (input, signal) => scoreAttempt(verifierEngine, input, signal),
    ...options.attemptsVerification,
  });
  const stoppedRuns = attempts.recoverInterrupted();
  if (stoppedRuns > 0) log("info", `Marked ${stoppedRuns} attempts run(s) cut off by a quit as stopped.`);
  const downloads = new DownloadService({
    db, dataDir: options.dataDir, publish, log,
    // The loaded model's backend, else a probe of the one a load would use (no model needed).
    gpus: async () => gpusOf(models.current()?.backend ?? (await models.probeBackend())),
    loadedPath: () => models.current()?.report.path ?? null,
  });
  // Downloads that were running when the app stopped (quit, crash, reboot) continue on their own.
  void downloads.resumeInterrupted().catch((error: unknown) => log("warn", `Resuming downloads failed: ${AppError.from(error).message}`));
  const loadModel = async (path: string, loadOptions: LoadOptions = {}): Promise<LoadedModel> => {
    assertLoadable(db, path);
    const loaded = await models.load(path, loadOptions);
    downloads.markUsed(path);
    return loaded;
  };
  // Hosts (the app, m2d serve) start it with apiServer.resume() when the user turned it on; CLI commands never do.
  const apiServer = new ApiServerService({ db, publish, log, backend: { generations, events, models, engine, downloads, loadModel } });
  const stopPurging = startPurgeTimer(chat.repo, {
    onPurged: () => publish({ type: "chat.conversations_changed" }),
    onError: (error) => log("warn", `Purging deleted conversations failed: ${error.message}`),
  });

  const dispatch = createRouter({
    "health.get": async () => ({
      version: APP_VERSION,
      uptimeMs: Date.now() - startedAt,
      dataDir: options.dataDir,
      database: { path: dbPath, schemaVersion: schemaVersion(db) },
      engine: engine.getStatus(),
    }),
    "system.diagnostics": async () => ({
      text: await diagnosticsReport({
        dataDir: options.dataDir,
        databasePath: dbPath,
        logPath: logFilePath(options.dataDir),
        schemaVersion: () => schemaVersion(db),
        engineStatus: () => engine.getStatus(),
        backend: async () => models.current()?.backend ?? (await models.probeBackend()),
        loadedModel: () => models.current(),
        secrets: [readHubSettings(db).token, process.env.HF_TOKEN, apiServer.key()].filter((t): t is string => !!t),
      }),
    }),
    "engine.echo": async ({ text }) => engine.request({ op: "echo", text }, { timeoutMs: 10_000 }),
    "model.inspect": ({ path }) => models.inspect(path),
    "model.load": ({ path, options: loadOptions }) => loadModel(path, loadOptions),
    "model.plan": (params) => (assertLoadable(db, params.path), models.plan(params)),
    "model.cancelLoad": async () => (await models.cancelLoad(), {}),
    "model.unload": async () => (await models.unload(), {}),
    "model.status": async () => ({ loaded: models.current() }),
    "model.loadFailures": async () => ({ failures: models.loadFailures() }),
    "system.memory": async () => systemMemory(),
    "generation.start": async ({ generationId, request }) => (await generations.start(generationId, request), { generationId }),
    "generation.abort": async ({ generationId }) => (await generations.abort(generationId), {}),
    ...chatHandlers(chat, models, engine),
    "agent.start": async ({ workspace, task, conversationId, mode, maxSteps }) => {
      const { conversationId: id } = await agent.start({ workspace, task, maxSteps, ...(mode ? { mode } : {}), ...(conversationId ? { conversationId } : {}) });
      return { conversationId: id };
    },
    "agent.approve": async ({ approvalId, approved, always, reason }) => (await agent.approve(approvalId, approved, always, reason), {}),
    "agent.stop": async ({ conversationId }) => (await agent.stop(conversationId), {}),
    "agent.resume": async ({ conversationId, maxSteps, mode }) => {
      const { resumedFrom } = await agent.resume({ conversationId, maxSteps, ...(mode && { mode }) });
      return { conversationId, resumedFrom };
    },
    "agent.compact": async ({ conversationId }) => (agent.requestCompaction(conversationId), {}),
    "agent.compactions": async ({ conversationId }) => ({ compactions: agent.listCompactions(conversationId) }),
    "agent.toolRuns": async ({ conversationId }) => ({ runs: agent.toolRuns(conversationId) }),
    "agent.workspaces": async () => ({ recent: agent.recentWorkspaces() }),
    "agent.workspaceSettings": async ({ workspace }) => agent.workspaceSettings.get(await resolveWorkspaceRoot(workspace)),
    "agent.updateWorkspaceSettings": async ({ workspace, patch }) => agent.workspaceSettings.update(await resolveWorkspaceRoot(workspace), patch),
    ...downloadHandlers(downloads),
    "agent.state": async ({ conversationId }) => agent.state(conversationId),
    "agent.changes": ({ conversationId }) => agent.changes(conversationId),
    "agent.revert": ({ conversationId, checkpointId }) => agent.revert(conversationId, checkpointId),
    "agent.artifact": ({ conversationId, path }) => agent.artifact(conversationId, path),
    "agent.artifactUrl": async ({ conversationId, path }) => ({
      url: options.artifacts ? await options.artifacts.grant(agent.workspaceOf(conversationId), path) : null,
    }),
    "agent.conversations": async () => ({ groups: chat.repo.listConversations({ now: Date.now(), kind: "agent" }) }),
    "agent.pickWorkspace": async (_params, context) => ({ path: await pickWorkspace(options.pickFolder, context) }),
    "agent.mcpServers": ({ workspace }) => listMcpServers(options.dataDir, workspace, agent.mcpConsent),
    "agent.mcpConsent": ({ workspace }) => workspaceMcpConsent(options.dataDir, workspace, agent.mcpConsent),
    "agent.approveWorkspaceMcp": ({ workspace, sha256 }) => approveWorkspaceMcp(options.dataDir, workspace, sha256, agent.mcpConsent),
    "agent.revokeWorkspaceMcp": ({ workspace }) => revokeWorkspaceMcp(options.dataDir, workspace, agent.mcpConsent),
    "agent.saveMcpConfig": async ({ config }) => ({ file: await saveAppMcpConfig(options.dataDir, config) }),
    "attempts.start": async ({ workspace, task, attempts: n, testCommand, isolation, mode, maxSteps, testTimeoutMs }) => {
      const { runId } = await attempts.start({
        workspace, task, attempts: n, maxSteps, testTimeoutMs, baseSeed: 1,
        ...(testCommand && { testCommand }), ...(isolation && { isolation }), ...(mode && { mode }),
      });
      return { runId };
    },
    "attempts.get": async ({ runId }) => attempts.get(runId),
    "attempts.list": async ({ workspace }) => ({ runs: await attempts.list(workspace) }),
    "attempts.detectTestCommand": ({ workspace }) => attempts.detectTestCommand(workspace),
    "attempts.stop": async ({ runId }) => (await attempts.stop(runId), {}),
    "attempts.apply": ({ runId, index }) => attempts.apply(runId, index),
    "attempts.discard": async ({ runId }) => (await attempts.discard(runId), {}),
    "apiServer.status": async () => apiServer.status(),
    "apiServer.update": (patch) => apiServer.update(patch),
    "apiServer.regenerateKey": async () => apiServer.regenerateKey(),
    "apiServer.requests": async () => ({ requests: apiServer.requests.list() }),
    "apiServer.cancelRequest": async ({ id }) => (apiServer.requests.cancel(id), {}),
  }, (error, method) => log("error", `${method} failed unexpectedly: ${describeError(error)}`));

  return {
    dispatch,
    events,
    engine,
    models,
    generations,
    chat,
    agent,
    downloads,
    apiServer,
    attempts,
    loadModel,
    db,
    dataLock,
    async close() {
      try {
        stopPurging();
        await apiServer.close();
        await attempts.stopAll();
        await agent.stopAll();
        await downloads.close();
        await engine.stop();
        try {
          db.close();
        } catch (error) {
          log("warn", `Closing the database failed: ${AppError.from(error).message}`);
        }
      } finally {
        // Last: the next owner may start only once the downloads are paused and the database is closed.
        dataLock.release();
      }
    },
  };
}
