import { closeSync, openSync } from "node:fs";
import { createInterface, type Interface } from "node:readline/promises";
import { ReadStream, WriteStream } from "node:tty";

export interface Questions {
  /** Asks on the terminal; null when none is attached. */
  interface: Interface | null;
  close(): void;
}

/**
 * Where `m2d agent` asks its questions: stdin and stderr when both are the terminal; otherwise the process's
 * controlling terminal (/dev/tty), so a run with stderr or stdout redirected still asks the person at the keyboard.
 * With no terminal at all (a cron job, CI, a detached process) there is no one to ask: `interface` is null and
 * the caller refuses what needs approval.
 */
export function openQuestions(): Questions {
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const questions = createInterface({ input: process.stdin, output: process.stderr });
    return { interface: questions, close: () => questions.close() };
  }
  if (process.platform === "win32") return { interface: null, close: () => undefined };
  let readFd: number;
  let writeFd: number;
  try {
    readFd = openSync("/dev/tty", "r");
  } catch {
    return { interface: null, close: () => undefined };
  }
  try {
    writeFd = openSync("/dev/tty", "w");
  } catch {
    closeSync(readFd);
    return { interface: null, close: () => undefined };
  }
  // Each stream owns its descriptor and closes it.
  const input = new ReadStream(readFd);
  const output = new WriteStream(writeFd);
  const questions = createInterface({ input, output, terminal: true });
  return {
    interface: questions,
    close: () => {
      questions.close();
      input.destroy();
      output.destroy();
    },
  };
}
