import { z } from "zod";
import { ConversationSchema, StoredMessageSchema } from "./types";

export const CHAT_EXPORT_FORMAT = "m2-desktop.chat";
export const CHAT_EXPORT_VERSION = 1;

/**
 * A conversation with its whole message tree (every branch). Ids are the exporter's;
 * an import gives everything new ids, so a document can be imported twice.
 */
export const ChatExportSchema = z
  .object({
    format: z.literal(CHAT_EXPORT_FORMAT),
    version: z.literal(CHAT_EXPORT_VERSION),
    exportedAt: z.number().int(),
    conversation: ConversationSchema.omit({ deletedAt: true }).strict(),
    /** In creation order; an import accepts any order. */
    messages: z.array(StoredMessageSchema.omit({ conversationId: true }).strict()).max(1_000_000),
  })
  .strict();
export type ChatExport = z.infer<typeof ChatExportSchema>;
