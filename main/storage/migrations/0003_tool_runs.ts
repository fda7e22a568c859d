/** One row per tool call an agent step made: the policy's decision, who approved it, timing, outcome. */
export default `
CREATE TABLE tool_runs (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  assistant_message_id TEXT NOT NULL,
  tool_message_id TEXT,
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL CHECK (json_valid(arguments)),
  decision TEXT CHECK (decision IN ('allow', 'ask', 'deny')),
  decided_by TEXT NOT NULL CHECK (decided_by IN ('policy', 'user', 'none')),
  approved INTEGER NOT NULL,
  action TEXT,
  location TEXT,
  ok INTEGER,
  checkpoint_id TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER
) STRICT;
CREATE INDEX tool_runs_by_conversation ON tool_runs(conversation_id, started_at);
`;
