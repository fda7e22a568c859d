import { createInterface } from "node:readline";
import { AppError, dataFolderOwnerOf } from "../../../app/contract";
import { acquireDataLock, type DataLock } from "../data-lock";

/**
 * A process that competes for a data folder's lock (data-lock.test.ts runs many of them at once).
 * argv: <dataDir>. stdin lines: "go" tries to take the lock and prints {"won":true} or {"won":false,code,message,pid};
 * "release" releases it and exits; "exit" exits without releasing (the exit hook must release it).
 */
const dataDir = process.argv[2]!;
let lock: DataLock | undefined;
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

say({ ready: true });
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "go") {
    try {
      lock = acquireDataLock(dataDir, "cli");
      say({ won: true });
    } catch (error) {
      const appError = AppError.from(error);
      say({ won: false, code: appError.code, message: appError.message, pid: dataFolderOwnerOf(appError)?.pid });
    }
  } else if (line === "release") {
    lock?.release();
    process.exit(0);
  } else if (line === "exit") {
    process.exit(0);
  }
});
