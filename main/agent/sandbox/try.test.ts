import { test } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSandboxed } from "./runner";
import { detectSandbox } from "./detect";
test("try", async () => {
  console.log(await detectSandbox());
  const ws = mkdtempSync(join(tmpdir(), "ws-"));
  mkdirSync(join(ws, ".git/hooks"), { recursive: true }); writeFileSync(join(ws, ".git/config"), "[core]\n");
  for (const c of ["id; pwd; env; ls -la; echo hi > x && cat x; echo evil > .git/hooks/pre-commit; echo $?; cat /etc/shadow | wc -c; ls /root /home /tmp; cat /proc/self/status | grep -E 'Cap|NoNewPrivs'",
    "setsid sleep 1000 & echo started", "python3 -c 'import os; print(os.getpid())'"]) {
    const t = Date.now();
    const r = await runSandboxed({ command: c, workspace: ws, limits: { timeoutMs: 3000 } });
    console.log(Date.now() - t, JSON.stringify({ ...r, argv: undefined }, null, 1));
  }
});
