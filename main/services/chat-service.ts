import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { buildM2Messages, reasoningPolicyFor } from "../../app/chat/history";
import type { BranchView, BranchWindow, ChatSettings, Conversation, MessageGeneration, StoredMessage } from "../../app/chat/types";
import { AppError, type AppEvent, type GenerationEvent, type GenerationRequest, type ParsedGenerationRequest } from "../../app/contract";
import type { LoadedModel } from "../../app/contract/model";
import type { FollowedAnswer } from "../../app/contract/chat-api";
import type { ChatMessage, ToolDefinition } from "../../app/m2/types";
import { ChatSettingsSchema } from "../../app/chat/types";
import { isContinuable } from "../../app/chat/continuable";
import { ChatDefaultsSchema, type ChatDefaults } from "../../app/chat/presets";
import { readSetting, writeSetting } from "../storage/settings-table";
import { ChatRepository } from "../chat/repository";
import { markStreamFailed } from "../chat/mark-failed";
import { messageFailure, reopenStream, StreamWriter } from "../chat/stream-writer";
import { exportJson, exportMarkdown, importJson } from "../chat/export";
import type { Db } from "../storage/database";
import type { GenerationService } from "./generation-service";
import type { ModelService } from "./model-service";

const CHAT_DEFAULTS = ChatSettingsSchema.parse({});
const CHAT_DEFAULTS_KEY = "chat.defaults";

/** Errors that mean the engine died under the answer: the partial text is kept as interrupted. */
const ENGINE_LOST = new Set(["engine_crashed", "engine_unavailable"]);


interface ActiveAnswer {
  conversationId: string;
  generationId: string;
  writer: StreamWriter;
  settled: (message: StoredMessage) => void;
}

export interface AnswerOptions {
  tools?: ToolDefinition[];
}

export interface StartedAnswer {
  assistantMessage: StoredMessage;
  generationId: string;
  /** Resolves with the stored message once the answer is complete, stopped, interrupted or failed. */
  settled: Promise<StoredMessage>;
}

/**
 * The chat screen's backend: stores turns, builds M2's history from the branch on
 * screen, streams the answer into SQLite as it grows, and settles it exactly once.
 */
export class ChatService {
  readonly repo: ChatRepository;
  private readonly active = new Map<string, ActiveAnswer>(); // by generationId

  constructor(
    db: Db,
    private readonly models: ModelService,
    private readonly generations: GenerationService,
    private readonly publish: (event: AppEvent) => void,
  ) {
    this.repo = new ChatRepository(db);
  }

  list() {
    return { groups: this.repo.listConversations({ now: Date.now(), kind: "chat" }) };
  }

  /** The app-wide chat defaults; a missing or unreadable value is the empty default. */
  defaults(): ChatDefaults {
    const parsed = ChatDefaultsSchema.safeParse(readSetting(this.repo.ctx.db, CHAT_DEFAULTS_KEY) ?? {});
    return parsed.success ? parsed.data : { presets: [] };
  }

  saveDefaults(defaults: ChatDefaults): ChatDefaults {
    const { systemPrompt, presets } = defaults;
    const value: ChatDefaults = { ...(systemPrompt?.trim() ? { systemPrompt } : {}), presets };
    writeSetting(this.repo.ctx.db, CHAT_DEFAULTS_KEY, value);
    return value;
  }

  /** Without a system prompt of its own, a new conversation starts with the default one. */
  create(title?: string, systemPrompt: string | undefined = this.defaults().systemPrompt): Conversation {
    const conversation = this.repo.createConversation({ ...(title ? { title } : {}), settings: systemPrompt ? { systemPrompt } : {} });
    this.listChanged();
    return conversation;
  }

  view(conversationId: string, leafId?: string, window?: BranchWindow): BranchView {
    return this.repo.branchView(conversationId, leafId, window);
  }

  changed<T>(result: T): T {
    this.listChanged();
    return result;
  }

  async send(conversationId: string, content: string, parentId?: string | null) {
    this.assertIdle(conversationId);
    // No model, no stored turn: a failed send must not leave an orphan user message behind.
    await this.models.ensureLoaded();
    const userMessage = this.repo.appendMessage(conversationId, {
      role: "user",
      content,
      ...(parentId !== undefined ? { parentId } : {}),
    });
    this.listChanged();
    const { assistantMessage, generationId } = await this.answer(conversationId, userMessage.id);
    return { userMessage, assistantMessage, generationId };
  }

  async editAndResend(messageId: string, content: string) {
    const original = this.repo.getMessage(messageId);
    if (original.role !== "user") throw new AppError("bad_request", "Only user messages can be edited and resent.", { messageId });
    this.assertIdle(original.conversationId);
    const userMessage = this.repo.editAndResend(messageId, content);
    const { assistantMessage, generationId } = await this.answer(original.conversationId, userMessage.id);
    return { userMessage, assistantMessage, generationId };
  }

  async regenerate(messageId: string) {
    const original = this.repo.getMessage(messageId);
    if (original.role !== "assistant" || !original.parentId) {
      throw new AppError("bad_request", "Only an answer can be regenerated.", { messageId });
    }
    this.assertIdle(original.conversationId);
    const { assistantMessage, generationId } = await this.answer(original.conversationId, original.parentId);
    return { assistantMessage, generationId };
  }

  /**
   * Continues a stopped or interrupted answer into the same message: the engine renders the partial turn open
   * (GenerationRequest.continuation) and what it generates is appended to the stored reasoning and content.
   */
  async continueAnswer(messageId: string) {
    const original = this.repo.getMessage(messageId);
    if (!isContinuable(original) || !original.parentId) {
      throw new AppError("bad_request", "Only a stopped or interrupted answer without tool calls can be continued.", { messageId, status: original.status });
    }
    this.assertIdle(original.conversationId);
    const loaded = await this.models.ensureLoaded();
    const { settings } = this.repo.getConversation(original.conversationId);
    const path = this.repo.listBranchPath(original.conversationId, original.parentId);
    const messages = buildM2Messages(path, settings, { reasoning: reasoningPolicyFor(loaded.report.family) });
    // Content means the thinking had ended; an answer stopped between </think> and its first word thinks on.
    const continuation = { reasoning: original.reasoning, content: original.content, reasoningClosed: original.content !== "" };
    reopenStream(this.repo.ctx.db, messageId);
    const { generationId } = await this.stream(original.conversationId, this.repo.getMessage(messageId), settings, { messages, continuation });
    return { assistantMessage: this.repo.getMessage(messageId), generationId };
  }

  /** The generation writing `messageId` and the answer as its events so far left it (chat.follow). */
  follow(messageId: string): FollowedAnswer | null {
    for (const answer of this.active.values()) {
      if (answer.writer.messageId === messageId && !answer.writer.isFinished) return { generationId: answer.generationId, ...answer.writer.snapshot() };
    }
    this.repo.getMessage(messageId); // an unknown id is not_found, not "nobody writes it"
    return null;
  }

  async stop(conversationId: string): Promise<void> {
    for (const answer of this.active.values()) {
      if (answer.conversationId === conversationId) await this.generations.abort(answer.generationId);
    }
  }

  exportConversation(conversationId: string, format: "markdown" | "json") {
    const { title } = this.repo.getConversation(conversationId);
    const base = title.replace(/[^\w\- ]+/g, "").trim().replace(/\s+/g, "-").slice(0, 60) || "conversation";
    return format === "markdown"
      ? { filename: `${base}.md`, mimeType: "text/markdown", content: exportMarkdown(this.repo, conversationId) }
      : { filename: `${base}.json`, mimeType: "application/json", content: JSON.stringify(exportJson(this.repo, conversationId), null, 2) };
  }

  importConversation(json: string): Conversation {
    let document: unknown;
    try {
      document = JSON.parse(json);
    } catch (error) {
      throw new AppError("bad_request", `The file is not JSON: ${(error as Error).message}`);
    }
    return importJson(this.repo, document);
  }

  /** The request an answer would send now, with `draft` as the next user turn (for token counts). */
  requestFor(conversationId: string | undefined, draft: string): ParsedGenerationRequest {
    const settings = conversationId ? this.repo.getConversation(conversationId).settings : CHAT_DEFAULTS;
    const path = conversationId ? this.repo.listBranchPath(conversationId) : [];
    const messages = buildM2Messages(path, settings, { reasoning: reasoningPolicyFor(this.models.current()?.report.family) });
    if (draft) messages.push({ role: "user", content: draft });
    return {
      messages,
      ...(settings.thinking ? { thinking: settings.thinking } : {}),
      sampling: { temperature: settings.temperature, topP: settings.topP, topK: settings.topK },
    };
  }

  /** Every generation event of a chat answer passes through here, in order. */
  onGenerationEvent(generationId: string, event: GenerationEvent): void {
    const answer = this.active.get(generationId);
    if (!answer) return;
    try {
      const final = this.settle(answer, event);
      if (final) {
        this.active.delete(generationId);
        answer.settled(final);
        this.publish({ type: "chat.message", conversationId: answer.conversationId, message: final, generationId });
        this.listChanged();
      }
    } catch (error) {
      this.failStorage(answer, AppError.from(error));
    }
  }

  /**
   * Storage failed under an answer (a full disk, say): the engine stops generating into a row
   * nobody can write (it would refuse the next send), the stream ends saying why, and the row
   * is marked failed as soon as SQLite takes the write.
   */
  private failStorage(answer: ActiveAnswer, error: AppError): void {
    if (!this.active.delete(answer.generationId)) return;
    answer.writer.dispose();
    this.generations.abort(answer.generationId).catch(() => undefined);
    markStreamFailed(this.repo.ctx.db, answer.writer.messageId, error.message);
    const message: StoredMessage = { ...this.repo.getMessage(answer.writer.messageId), status: "error", error: error.message };
    answer.settled(message);
    this.publish({ type: "chat.message", conversationId: answer.conversationId, message });
    this.listChanged();
  }

  /**
   * Starts an assistant answer under `parentId` (a user message, or a tool result in an agent loop).
   * `transform` lets the agent loop fit old tool outputs into its context budget.
   */
  async answer(
    conversationId: string,
    parentId: string,
    options: AnswerOptions & { transform?: (messages: ChatMessage[]) => ChatMessage[] } = {},
  ): Promise<StartedAnswer> {
    const loaded = await this.models.ensureLoaded();
    const conversation = this.repo.getConversation(conversationId);
    const path = this.repo.listBranchPath(conversationId, parentId);
    const built = buildM2Messages(path, conversation.settings, { reasoning: reasoningPolicyFor(loaded.report.family) });
    const messages = options.transform ? options.transform(built) : built;
    const generation = generationRecord(loaded, conversation.settings);
    const assistantMessage = this.repo.appendMessage(conversationId, { role: "assistant", parentId, status: "streaming", generation });
    return this.stream(conversationId, assistantMessage, conversation.settings, { messages, ...(options.tools ? { tools: options.tools } : {}) });
  }

  /** Streams a generation into `message` (status streaming), continuing its stats when it continues an answer. */
  private async stream(
    conversationId: string,
    message: StoredMessage,
    settings: ChatSettings,
    input: Pick<GenerationRequest, "messages" | "tools" | "continuation">,
  ): Promise<StartedAnswer> {
    const generationId = randomUUID();
    let settle!: (message: StoredMessage) => void;
    const settled = new Promise<StoredMessage>((resolve) => (settle = resolve));
    const writerOptions = { onError: (error: AppError) => this.failStorage(answer, error), ...(input.continuation && message.stats ? { prior: message.stats } : {}) };
    const answer: ActiveAnswer = {
      conversationId,
      generationId,
      // A failed timer flush ends the answer now, not at the next event (there may be none).
      writer: new StreamWriter(this.repo.ctx.db, message.id, writerOptions),
      settled: settle,
    };
    this.active.set(generationId, answer);
    this.publish({ type: "chat.message", conversationId, message, generationId });
    const { temperature, topP, topK, maxTokens, thinking, seed } = settings;
    try {
      await this.generations.start(generationId, {
        ...input,
        currentDate: new Date().toISOString().slice(0, 10),
        ...(thinking ? { thinking } : {}),
        sampling: { temperature, topP, topK, ...(maxTokens ? { maxTokens } : {}), ...(seed !== undefined ? { seed } : {}) },
      });
    } catch (error) {
      this.onGenerationEvent(generationId, {
        type: "done",
        finish_reason: "error",
        error: { code: AppError.from(error).code, message: AppError.from(error).message },
      });
      throw error;
    }
    return { assistantMessage: message, generationId, settled };
  }

  private settle(answer: ActiveAnswer, event: GenerationEvent): StoredMessage | undefined {
    if (event.type === "done" && event.error && !ENGINE_LOST.has(event.error.code)) {
      return answer.writer.finish("error", { error: event.error.message, failure: messageFailure(event.error) });
    }
    return answer.writer.apply(event);
  }

  private assertIdle(conversationId: string): void {
    for (const answer of this.active.values()) {
      if (answer.conversationId === conversationId) {
        throw new AppError("engine_busy", "This conversation is still answering. Stop it first.", { conversationId });
      }
    }
  }

  private listChanged(): void {
    this.publish({ type: "chat.conversations_changed" });
  }
}

/** What an answer records of the model and settings it starts with (MessageGenerationSchema). */
function generationRecord(loaded: LoadedModel, settings: ChatSettings): MessageGeneration {
  const { report } = loaded;
  return {
    model: report.name ?? basename(report.path),
    family: report.familyName,
    quantization: report.quantization,
    contextSize: loaded.contextSize,
    temperature: settings.temperature,
    topP: settings.topP,
    topK: settings.topK,
    ...(settings.maxTokens ? { maxTokens: settings.maxTokens } : {}),
  };
}
