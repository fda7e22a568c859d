import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect, loadScriptedModel, sandboxVisibleDir, test } from "./fixtures";

/*
 * The agent workspace against the real headless host, the real engine and real files:
 * "agent" thinks, calls list_files, thinks again and answers; "edit" thinks and calls
 * write_file, which Ask mode puts before the user as an approval card.
 *
 * The approval card is shown with the "edit" scenario: Ask mode runs reads (list_files) without
 * asking, by design, so a list_files call never asks there; a write does.
 */

let workspace: string;
test.beforeEach(() => {
  workspace = sandboxVisibleDir("m2d-e2e-agent-");
  mkdirSync(join(workspace, "src"));
  writeFileSync(join(workspace, "README.md"), "# Demo\n");
  writeFileSync(join(workspace, "src", "index.ts"), "export {};\n");
});
test.afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const loadModel = (page: Page, url: string, scenario: "agent" | "edit" | "artifact") => loadScriptedModel(page, url, scenario);

async function startTask(page: Page, task: string): Promise<void> {
  await page.getByTestId("new-agent-task").click();
  await page.getByTestId("agent-workspace").fill(workspace);
  await expect(page.getByTestId("agent-mode")).toHaveValue("ask");
  await page.getByTestId("agent-task").fill(task);
  await page.getByTestId("agent-start").click();
}

/** The open/closed choice is remembered across reloads: open it only if it is closed. */
async function openThinking(step: Locator): Promise<void> {
  const toggle = step.getByTestId("thinking-toggle");
  if ((await toggle.getAttribute("aria-expanded")) === "false") await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
}

const steps = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

test.setTimeout(150_000);

test("a question leads to a list_files call, its result and a final answer; both thinking blocks and the tool card survive a reload", async ({ page, host }) => {
  await loadModel(page, host.url, "agent");
  await startTask(page, "What is in this folder?");

  await expect(steps(page)).toHaveCount(2, { timeout: 90_000 });
  const answer = steps(page).nth(1);
  await expect(answer.locator(".markdown")).toContainText("The workspace contains the files shown in the listing above", { timeout: 90_000 });
  await expect(page.getByTestId("agent-send")).toBeVisible(); // the loop is done: Stop turned back into Continue

  const check = async () => {
    const [first, second] = [steps(page).nth(0), steps(page).nth(1)];
    // Each step has its own thinking block, the first followed by its tool card.
    await expect(first.getByTestId("thinking")).toHaveCount(1);
    await expect(second.getByTestId("thinking")).toHaveCount(1);
    await openThinking(first);
    await expect(first.getByTestId("thinking-body")).toContainText("I should call list_files on the current directory");
    await openThinking(second);
    await expect(second.getByTestId("thinking-body")).toContainText("The tool returned the directory listing");

    const card = first.getByTestId("agent-tool-call");
    await expect(card).toHaveAttribute("data-tool", "list_files");
    await expect(card).toHaveAttribute("data-status", "ok");
    await expect(card.getByTestId("tool-status")).toHaveText(/^ok · \d+(\.\d)? m?s$/);
    await expect(card.locator(".tool-args")).toContainText(".");
    await card.getByTestId("tool-output").locator("summary").click();
    await expect(card.getByTestId("tool-output")).toContainText("README.md");
    await expect(card.getByTestId("tool-output")).toContainText("src/");
    await expect(second.locator(".markdown")).toContainText("Tell me which one to open next.");
    await expect(page.getByTestId("agent-workspace-path")).toHaveText(workspace);
  };
  await check();

  await page.reload();
  await expect(steps(page)).toHaveCount(2);
  await check();
  // The sidebar lists it under the agent tasks, and opens it from there.
  const entry = page.getByTestId("agent-history").getByTestId("conversation");
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("What is in this folder?");
  await expect(entry).toHaveClass(/\bactive\b/);
  await page.getByTestId("new-chat").click();
  await expect(page.getByTestId("agent-composer")).toHaveCount(0);
  await entry.locator(".conversation-open").click();
  await expect(steps(page)).toHaveCount(2);
  await expect(page.getByTestId("agent-composer")).toBeVisible();
  // The tool message is part of the card, not a row of its own.
  await expect(page.locator("[data-testid=message][data-role=tool]")).toHaveCount(0);

  // A follow-up continues the same conversation (and loop): the model answers from what it has.
  await page.getByTestId("agent-followup").fill("Thanks, anything else?");
  await page.getByTestId("agent-followup").press("Enter");
  await expect(page.locator("[data-testid=message][data-role=user]")).toHaveCount(2);
  await expect(steps(page)).toHaveCount(3, { timeout: 90_000 });
  await expect(steps(page).nth(2).locator(".markdown")).toContainText("Tell me which one to open next.", { timeout: 90_000 });
  await expect(page.getByTestId("agent-send")).toBeVisible();
});

test("Stop while an approval is pending: the call is not run, the loop stops and says so", async ({ page, host }) => {
  await loadModel(page, host.url, "edit");
  await startTask(page, "Make a notes file.");
  await expect(page.getByTestId("approval-card")).toBeVisible({ timeout: 90_000 });
  await page.getByTestId("agent-stop").click();

  await expect(page.getByTestId("approval-card")).toHaveCount(0);
  await expect(page.getByTestId("agent-stopped")).toContainText("Stopped by the user.");
  await expect(steps(page).nth(0).getByTestId("agent-tool-call")).toHaveAttribute("data-status", "denied");
  await expect(page.getByTestId("agent-send")).toBeVisible();
  expect(existsSync(join(workspace, "notes.md"))).toBe(false);
});

test("Ask mode: the write waits on an approval card that survives a reload; approved by keyboard, it shows a diff, and “Revert this change” restores the file on disk", async ({ page, host }) => {
  writeFileSync(join(workspace, "notes.md"), "old notes\n");
  await loadModel(page, host.url, "edit");
  await startTask(page, "Make a notes file.");

  const card = page.getByTestId("approval-card");
  await expect(card).toBeVisible({ timeout: 90_000 });
  await expect(card.getByTestId("approval-action")).toHaveText("write notes.md");
  await expect(card.getByTestId("approval-where")).toHaveText(workspace);
  const toolCard = steps(page).nth(0).getByTestId("agent-tool-call");
  await expect(toolCard).toHaveAttribute("data-status", "awaiting_approval");
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("old notes\n");

  // Still pending after a reload: the card comes back from agent.state.
  await page.reload();
  await expect(card).toBeVisible();
  await expect(card.getByTestId("approval-action")).toHaveText("write notes.md");
  await expect(card.getByTestId("approve")).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(card).toHaveCount(0);
  await expect(steps(page).nth(1).locator(".markdown")).toContainText("I tried to create notes.md", { timeout: 90_000 });
  await expect(toolCard).toHaveAttribute("data-status", "ok");
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");

  const diff = toolCard.getByTestId("diff");
  await expect(diff.getByTestId("diff-remove")).toHaveText(["-old notes"]);
  await expect(diff.getByTestId("diff-add")).toHaveText(["+Hello from M2"]);
  const file = page.getByTestId("changed-file");
  await expect(file).toHaveAttribute("data-path", "notes.md");
  await expect(file).toHaveAttribute("data-state", "modified");

  await file.getByTestId("revert-file").click();
  await expect(file).toHaveAttribute("data-state", "reverted");
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("old notes\n");
  await expect(file.getByTestId("revert-file")).toBeDisabled();

  // The stored steps and the review state come back after a reload.
  await page.reload();
  await expect(steps(page)).toHaveCount(2);
  await expect(page.getByTestId("changed-file")).toHaveAttribute("data-state", "reverted");
  await expect(steps(page).nth(0).getByTestId("agent-tool-call")).toHaveAttribute("data-status", "ok");
});

test("“Always allow” is kept for the workspace: its settings list the tool, and the next task there writes without asking", async ({ page, host }) => {
  await loadModel(page, host.url, "edit");
  await startTask(page, "Make a notes file.");
  const card = page.getByTestId("approval-card");
  await expect(card.getByTestId("approve-always")).toHaveText("Always allow write_file", { timeout: 90_000 });
  await card.getByTestId("approve-always").click();
  await expect(steps(page).nth(1).locator(".markdown")).toContainText("I tried to create notes.md", { timeout: 90_000 });
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");

  await page.getByTestId("settings-toggle").click();
  const settings = page.getByTestId("workspace-settings");
  await expect(settings.getByTestId("allowed-tools")).toContainText("write_file");
  await expect(settings.getByTestId("agent-mode")).toHaveValue("ask");

  rmSync(join(workspace, "notes.md"));
  await startTask(page, "Make a notes file again.");
  await expect(steps(page).nth(1).locator(".markdown")).toContainText("I tried to create notes.md", { timeout: 90_000 });
  await expect(card).toHaveCount(0);
  await expect(steps(page).nth(0).getByTestId("agent-tool-call")).toHaveAttribute("data-status", "ok");
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");
});

test("an HTML page the agent wrote previews with its scripts running, in a frame sandboxed to its own origin: opaque, no network", async ({ page, host }) => {
  // How each request for the page's remote image ended: Chromium reports a CSP block as a failed request.
  const beacon: string[] = [];
  const isBeacon = (url: string) => url.startsWith("http://127.0.0.1:9/");
  page.on("requestfinished", (request) => isBeacon(request.url()) && beacon.push("finished"));
  page.on("requestfailed", (request) => isBeacon(request.url()) && beacon.push(request.failure()?.errorText ?? "failed"));
  await loadModel(page, host.url, "artifact");
  await page.getByTestId("new-agent-task").click();
  await page.getByTestId("agent-workspace").fill(workspace);
  await page.getByTestId("agent-mode").selectOption("auto_edit"); // edits run without asking
  await page.getByTestId("agent-task").fill("Make me a small page.");
  await page.getByTestId("agent-start").click();

  await expect(steps(page).nth(1).locator(".markdown")).toContainText("I wrote page.html", { timeout: 90_000 });
  const card = steps(page).nth(0).getByTestId("agent-tool-call");
  await expect(card).toHaveAttribute("data-status", "ok");
  await expect(page.getByTestId("changed-file")).toHaveAttribute("data-state", "created");
  await card.getByTestId("artifact-preview-toggle").click();

  const frameElement = card.getByTestId("artifact-frame");
  await expect(frameElement).toHaveAttribute("sandbox", "allow-scripts");
  // Served from the host's artifact origin (another port): the page's own CSP applies there, not the app's.
  const src = await frameElement.getAttribute("src");
  expect(new URL(src!).origin).not.toBe(new URL(host.url).origin);
  const served = await fetch(src!);
  expect(served.headers.get("content-security-policy")).toContain("connect-src 'none'");
  const frame = page.frameLocator("[data-testid=artifact-frame]");
  await expect(frame.locator("h1")).toBeVisible();
  const handle = await frameElement.elementHandle();
  const content = await handle!.contentFrame();
  // An opaque origin: nothing of the app (its DOM, storage, token) is reachable from the page.
  expect(await content!.evaluate(() => self.origin)).toBe("null");
  expect(await content!.evaluate(() => {
    try {
      return parent.document.title;
    } catch {
      return "blocked";
    }
  })).toBe("blocked");
  // The remote image never reaches the network: every attempt is blocked by CSP in the browser.
  await expect(frame.locator("#beacon")).toHaveJSProperty("complete", true);
  await expect(frame.locator("#beacon")).toHaveJSProperty("naturalWidth", 0);
  expect(beacon.every((outcome) => outcome === "csp"), `beacon requests: ${beacon.join(", ")}`).toBe(true);
  // The page's own script runs there.
  await expect(frame.locator("h1")).toHaveText("Script ran");
});
