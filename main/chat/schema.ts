/**
 * Chat storage. Messages form a tree per conversation (parent_id); siblings are
 * branches. `seq` is the rowid: creation order for siblings, and the stable key the
 * external-content FTS index needs (a plain rowid may change on VACUUM).
 */
const sql = `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  title_is_auto INTEGER NOT NULL DEFAULT 1 CHECK (title_is_auto IN (0, 1)),
  pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  kind TEXT NOT NULL CHECK (kind IN ('chat', 'agent')),
  workspace TEXT,
  settings TEXT NOT NULL CHECK (json_valid(settings) AND json_type(settings) = 'object'),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  active_leaf_id TEXT REFERENCES messages(id) ON DELETE SET NULL
) STRICT;

CREATE INDEX conversations_by_activity ON conversations(deleted_at, pinned DESC, updated_at DESC);
-- Deleting a message looks up conversations pointing at it (ON DELETE SET NULL).
CREATE INDEX conversations_by_active_leaf ON conversations(active_leaf_id);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  parent_id TEXT REFERENCES messages(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  content TEXT NOT NULL DEFAULT '',
  reasoning TEXT NOT NULL DEFAULT '',
  tool_calls TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tool_calls) AND json_type(tool_calls) = 'array'),
  tool_call_id TEXT,
  tool_name TEXT,
  status TEXT NOT NULL DEFAULT 'complete'
    CHECK (status IN ('complete', 'streaming', 'stopped', 'interrupted', 'error')),
  error TEXT,
  stats TEXT CHECK (stats IS NULL OR (json_valid(stats) AND json_type(stats) = 'object')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (parent_id IS NULL OR parent_id <> id)
) STRICT;

-- A branch never crosses conversations (the FK alone cannot say that).
CREATE TRIGGER messages_parent_same_conversation BEFORE INSERT ON messages
WHEN new.parent_id IS NOT NULL
  AND (SELECT conversation_id FROM messages WHERE id = new.parent_id) IS NOT new.conversation_id
BEGIN
  SELECT RAISE(ABORT, 'parent message belongs to another conversation');
END;

CREATE TRIGGER messages_parent_same_conversation_update BEFORE UPDATE OF parent_id, conversation_id ON messages
WHEN new.parent_id IS NOT NULL
  AND (SELECT conversation_id FROM messages WHERE id = new.parent_id) IS NOT new.conversation_id
BEGIN
  SELECT RAISE(ABORT, 'parent message belongs to another conversation');
END;

CREATE INDEX messages_by_conversation ON messages(conversation_id, seq);
CREATE INDEX messages_by_parent ON messages(parent_id, seq);
-- Startup recovery looks only for unfinished streams.
CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming';

CREATE VIRTUAL TABLE messages_fts USING fts5(
  content, reasoning,
  content = 'messages', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, content, reasoning) VALUES (new.seq, new.content, new.reasoning);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
    VALUES ('delete', old.seq, old.content, old.reasoning);
END;

-- Only text changes reindex: status and stats updates stay cheap.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content, reasoning)
    VALUES ('delete', old.seq, old.content, old.reasoning);
  INSERT INTO messages_fts(rowid, content, reasoning) VALUES (new.seq, new.content, new.reasoning);
END;
`;

export const chatMigration = { version: 2, name: "chat", sql } as const;

/** The model and settings each answer was generated with (MessageGenerationSchema), as JSON. */
export const messageGenerationMigration = {
  version: 8,
  name: "message_generation",
  sql: `ALTER TABLE messages ADD COLUMN generation TEXT CHECK (generation IS NULL OR (json_valid(generation) AND json_type(generation) = 'object'));`,
} as const;

/** The typed error a failed answer carries (MessageFailureSchema), as JSON. */
export const messageFailureMigration = {
  version: 10,
  name: "message_failure",
  sql: `ALTER TABLE messages ADD COLUMN failure TEXT CHECK (failure IS NULL OR (json_valid(failure) AND json_type(failure) = 'object'));`,
} as const;

/** The chat tables as they are now: what a chat-only database (tests, fixtures) opens with. */
export const chatMigrations = [chatMigration, messageGenerationMigration, messageFailureMigration] as const;
