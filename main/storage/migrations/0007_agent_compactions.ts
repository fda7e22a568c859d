/**
 * One row per compaction of an agent run's history (issue 17): where it was made, the summary the model wrote
 * (also stored as its assistant message), and what carried over verbatim. Messages are never deleted for it.
 */
export default `
CREATE TABLE agent_compactions (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  summary_message_id TEXT NOT NULL,
  kept_from_message_id TEXT NOT NULL,
  summary TEXT NOT NULL,
  plan TEXT,
  changed_files TEXT NOT NULL CHECK (json_valid(changed_files)),
  prompt_tokens_before INTEGER NOT NULL,
  context_size INTEGER NOT NULL,
  cause TEXT NOT NULL CHECK (cause IN ('threshold', 'manual')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_compactions_by_conversation ON agent_compactions(conversation_id, created_at);
`;
