import settingsSql from "../../storage/migrations/0001_settings";
import { libraryDurabilityMigration, libraryUsageMigration } from "../library";
import { downloadsMigration } from "../schema";

/** What a test database needs: the app's settings table and ours (no vitest here: child processes import it). */
export const TEST_MIGRATIONS = [
  { version: 1, name: "settings", sql: settingsSql },
  downloadsMigration,
  { ...libraryUsageMigration, version: 101 },
  { ...libraryDurabilityMigration, version: 102 },
];
