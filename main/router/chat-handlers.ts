import type { chatMethods } from "../../app/contract/chat-api";
import type { ChatService } from "../services/chat-service";
import type { ModelService } from "../services/model-service";
import type { EngineSupervisor } from "../engine/supervisor";
import type { Handlers } from "./router";

type ChatHandlers = Pick<Handlers, keyof typeof chatMethods>;

/** chat.* over the chat service: thin, since validation happened in the router. */
export function chatHandlers(chat: ChatService, models: ModelService, engine: EngineSupervisor): ChatHandlers {
  const repo = chat.repo;
  return {
    "chat.list": async () => chat.list(),
    "chat.create": async ({ title, systemPrompt }) => chat.create(title, systemPrompt),
    "chat.defaults": async () => chat.defaults(),
    "chat.saveDefaults": async (defaults) => chat.saveDefaults(defaults),
    "chat.get": async ({ conversationId, leafId, limit, beforeId }) => chat.view(conversationId, leafId, { limit, beforeId }),
    "chat.rename": async ({ conversationId, title }) => chat.changed(repo.renameConversation(conversationId, title)),
    "chat.pin": async ({ conversationId, pinned }) => chat.changed(repo.setPinned(conversationId, pinned)),
    "chat.delete": async ({ conversationId }) => {
      await chat.stop(conversationId);
      return chat.changed({ undoUntil: repo.deleteConversation(conversationId).purgeAt });
    },
    "chat.restore": async ({ conversationId }) => chat.changed(repo.restoreConversation(conversationId)),
    "chat.updateSettings": async ({ conversationId, patch }) => repo.updateSettings(conversationId, patch),
    "chat.send": ({ conversationId, content, parentId }) => chat.send(conversationId, content, parentId),
    "chat.editAndResend": ({ messageId, content }) => chat.editAndResend(messageId, content),
    "chat.regenerate": ({ messageId }) => chat.regenerate(messageId),
    "chat.continue": ({ messageId }) => chat.continueAnswer(messageId),
    "chat.follow": async ({ messageId }) => chat.follow(messageId),
    "chat.stop": async ({ conversationId }) => (await chat.stop(conversationId), {}),
    "chat.switchBranch": async ({ conversationId, messageId }) => {
      repo.setActiveLeaf(conversationId, messageId);
      return chat.view(conversationId);
    },
    "chat.deleteMessage": async ({ messageId }) => {
      const { conversationId } = repo.getMessage(messageId);
      repo.deleteMessage(messageId);
      return chat.view(conversationId);
    },
    "chat.search": async ({ query }) => ({ hits: repo.search(query) }),
    "chat.export": async ({ conversationId, format }) => chat.exportConversation(conversationId, format),
    "chat.import": async ({ json }) => chat.changed(chat.importConversation(json)),
    "chat.countTokens": async ({ conversationId, draft }) => {
      const loaded = models.current();
      const request = chat.requestFor(conversationId, draft);
      if (!loaded) return { tokens: Math.ceil(JSON.stringify(request.messages).length / 4), contextSize: null };
      const { tokens } = await engine.request({ op: "renderPrompt", request }, { timeoutMs: 10_000 });
      return { tokens, contextSize: loaded.contextSize };
    },
  };
}
