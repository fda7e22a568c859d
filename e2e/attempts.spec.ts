import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, loadScriptedModel, sandboxVisibleDir, screenshot, test } from "./fixtures";

/*
 * Best-of-N in the app (issue 17 part 2) against the real headless host, the real engine, real git worktrees and
 * real files: the scripted "edit" model writes notes.md in each attempt's copy; the workspace changes only when
 * one attempt is applied.
 */

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).toString();

let workspace: string;
test.beforeEach(() => {
  workspace = sandboxVisibleDir("m2d-e2e-attempts-");
  mkdirSync(join(workspace, "src"));
  writeFileSync(join(workspace, "README.md"), "# Demo\n");
  writeFileSync(join(workspace, "src", "index.ts"), "export {};\n");
  git(workspace, "init", "-q");
  git(workspace, "add", ".");
  git(workspace, "commit", "-q", "-m", "init");
});
test.afterEach(() => rmSync(workspace, { recursive: true, force: true }));

test.setTimeout(240_000);

test("two attempts on a git workspace fill their columns side by side; a dirty tree is refused with a copy offered; Apply writes one into the workspace", async ({ page, host }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await loadScriptedModel(page, host.url, "edit");
  await page.getByTestId("new-agent-task").click();
  await page.getByTestId("agent-workspace").fill(workspace);
  await page.getByTestId("agent-mode").selectOption("auto_edit");
  await page.getByTestId("agent-attempts").fill("2");
  await expect(page.getByTestId("agent-start")).toHaveText("Start 2 attempts");
  // The detected command is shown (none in this folder) and can be set.
  await expect(page.getByTestId("agent-test-command-source")).toHaveText("none detected");
  await page.getByTestId("agent-test-command").fill("test -f notes.md");
  await page.getByTestId("agent-task").fill("Make a notes file.");

  // Uncommitted changes: worktrees at HEAD would lack them, so the start is refused and a copy offered.
  writeFileSync(join(workspace, "README.md"), "# Edited\n");
  await page.getByTestId("agent-start").click();
  await expect(page.getByTestId("attempts-refusal")).toContainText("uncommitted change");
  await expect(page.getByTestId("attempts-use-copy")).toBeVisible();
  await screenshot(page, "attempts-refused");
  git(workspace, "checkout", "--", "README.md");

  await page.getByTestId("agent-start").click();
  const panel = page.getByTestId("attempts-panel");
  await expect(panel).toBeVisible();
  await expect(panel).toContainText("each in a git worktree");
  await expect(page.getByTestId("attempts-test-command")).toHaveText("test -f notes.md");
  const columns = panel.getByTestId("attempt");
  await expect(columns).toHaveCount(2);
  // Live: the first attempt is at work while the second waits, and Stop is offered.
  await expect(columns.nth(0)).toHaveAttribute("data-state", /running|verifying|done/, { timeout: 90_000 });
  await expect(panel).toHaveAttribute("data-state", "ranked", { timeout: 180_000 });
  await expect(page.getByTestId("attempts-stop")).toHaveCount(0);

  // Side by side at 1280 wide: the second column starts to the right of the first, on the same row.
  const [a, b] = [await columns.nth(0).boundingBox(), await columns.nth(1).boundingBox()];
  expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
  expect(Math.abs(b!.y - a!.y)).toBeLessThan(2);
  // Nothing reached the workspace yet.
  expect(existsSync(join(workspace, "notes.md"))).toBe(false);
  await screenshot(page, "attempts-ranked-1280");

  // At 800×600 they stack.
  await page.setViewportSize({ width: 800, height: 600 });
  const [c, d] = [await columns.nth(0).boundingBox(), await columns.nth(1).boundingBox()];
  expect(d!.y).toBeGreaterThanOrEqual(c!.y + c!.height - 1);
  await screenshot(page, "attempts-ranked-800");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("button", { name: /Switch to dark theme/ }).click();
  await screenshot(page, "attempts-ranked-1280-dark");
  await page.setViewportSize({ width: 800, height: 600 });
  await screenshot(page, "attempts-ranked-800-dark");
  await page.setViewportSize({ width: 1280, height: 800 });

  for (const i of [0, 1]) {
    const column = columns.nth(i);
    await expect(column).toHaveAttribute("data-state", "done");
    const diff = column.getByTestId("diff");
    await expect(diff).toHaveCount(1);
    await expect(diff).toHaveAttribute("data-path", "notes.md");
    await expect(diff.locator(".diff-head")).toHaveText("new file notes.md");
    await expect(diff.getByTestId("diff-add")).toHaveText(["+Hello from M2"]);
    await expect(column.getByTestId("attempt-apply")).toBeVisible();
  }
  // Apply the second: the confirm names the file, then the workspace has it and the panel says how to revert.
  await columns.nth(1).getByTestId("attempt-apply").click();
  await expect(columns.nth(1).getByTestId("attempt-confirm")).toContainText(`It will change this file in ${workspace}:\n  notes.md`);
  await columns.nth(1).getByTestId("attempt-apply-confirm").click();
  await expect(panel).toHaveAttribute("data-state", "applied");
  await expect(page.getByTestId("attempts-status")).toHaveText("attempt 2 applied");
  await expect(page.getByTestId("attempts-outcome")).toContainText("Attempt 2 was applied to the workspace (1 file)");
  await expect(page.getByTestId("attempts-outcome")).toContainText("reverted from its Changed files panel");
  await expect(columns.nth(1).getByTestId("attempt-applied-badge")).toBeVisible();
  await expect(panel.getByTestId("attempt-apply")).toHaveCount(0);
  await expect(page.getByTestId("attempts-discard")).toHaveCount(0);
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");
  await screenshot(page, "attempts-applied-1280-dark");

  // The run is listed in the sidebar and reopens after a reload; its changes open in the conversation with Changed files.
  await page.reload();
  await page.getByTestId("attempts-history").getByTestId("attempts-run").first().click();
  await expect(page.getByTestId("attempts-panel")).toHaveAttribute("data-state", "applied");
  await page.getByTestId("attempts-open-applied").click();
  await expect(page.getByTestId("changed-files").getByTestId("changed-file")).toHaveAttribute("data-path", "notes.md");

  // The command set for the run is the workspace's now: the next best-of-N form offers it as the workspace setting.
  await page.getByTestId("new-agent-task").click();
  await page.getByTestId("agent-workspace").fill(workspace);
  await page.getByTestId("agent-attempts").fill("2");
  await expect(page.getByTestId("agent-test-command-source")).toHaveText("from workspace setting");
  await expect(page.getByTestId("agent-test-command")).toHaveValue("test -f notes.md");
});
