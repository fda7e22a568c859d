import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";

/**
 * Another process on the workspace (a second conversation, an MCP server) that swaps each folder for
 * a symlink to its target and back, in a tight loop, until it is stopped: the racing partner of the
 * tests that prove host-side file operations never follow what it plants.
 */
const FLIPPER = `
import os, sys, time
hold = float(sys.argv[1])
args = sys.argv[2:]
pairs = list(zip(args[0::2], args[1::2]))
while True:
    for path, target in pairs:
        try:
            os.rename(path, path + ".real")
            os.symlink(target, path)
            if hold:
                time.sleep(hold)
            os.unlink(path)
            os.rename(path + ".real", path)
        except OSError:
            pass
`;

export interface Flipper {
  stop(): Promise<void>;
}

/** `holdS`: how long each symlink stays in place, to widen the window for slower racing calls. */
export function startFlipper(pairs: ReadonlyArray<readonly [folder: string, target: string]>, holdS = 0): Flipper {
  const child: ChildProcess = spawn("python3", ["-c", FLIPPER, String(holdS), ...pairs.flat()], { stdio: "ignore" });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
