import { chatMigration, messageFailureMigration, messageGenerationMigration } from "../../chat/schema";
import { downloadsMigration } from "../../downloads/schema";
import { libraryDurabilityMigration, libraryUsageMigration } from "../../downloads/library";
import settings from "./0001_settings";
import toolRuns from "./0003_tool_runs";
import agentCompactions from "./0007_agent_compactions";
import attempts from "./0009_attempts";

/** Ordered, append-only: never edit a migration that has shipped; add the next one. */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: "settings", sql: settings },
  chatMigration,
  { version: 3, name: "tool_runs", sql: toolRuns },
  { ...downloadsMigration, version: 4 },
  { ...libraryUsageMigration, version: 5 },
  { ...libraryDurabilityMigration, version: 6 },
  { version: 7, name: "agent_compactions", sql: agentCompactions },
  messageGenerationMigration,
  { version: 9, name: "attempts", sql: attempts },
  messageFailureMigration,
];
