import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, loadScriptedModel, sandboxVisibleDir, test } from "./fixtures";

/*
 * Prompt processing in the agent's live step (issue 16), against the real headless host and engine on the
 * scripted "agent" model: its first prompt (system, tools, task) is longer than one batch, so the step shows
 * "Processing prompt N / M" from the engine's own progress before its first token, as a chat answer does.
 */

test.setTimeout(150_000);

test("the agent's live step shows the prompt's processing before its first token", async ({ page, host }) => {
  const workspace = sandboxVisibleDir("m2d-e2e-progress-");
  try {
    writeFileSync(join(workspace, "README.md"), "# Demo\n");
    await loadScriptedModel(page, host.url, "agent");
    // Scripted prompts are processed within a frame or two: record every progress text the page shows.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { progressSeen: Set<string> }).progressSeen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll("[data-testid=message] [data-testid=prompt-progress]")) seen.add(el.textContent ?? "");
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId("new-agent-task").click();
    await page.getByTestId("agent-workspace").fill(workspace);
    await page.getByTestId("agent-task").fill("What is in this folder?");
    await page.getByTestId("agent-start").click();
    const steps = page.locator("[data-testid=message][data-role=assistant]");
    await expect(steps.nth(1).locator(".markdown")).toContainText("Tell me which one to open next.", { timeout: 90_000 });
    const seen = await page.evaluate(() => [...(window as unknown as { progressSeen: Set<string> }).progressSeen]);
    expect(seen.some((s) => /^Processing prompt [\d,]+ \/ [\d,]+$/.test(s)), seen.join("; ")).toBe(true);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
