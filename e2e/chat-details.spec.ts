import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, loadScriptedModel, sandboxVisibleDir, test } from "./fixtures";

/*
 * Chat and agent details users expect (issue 16), against the real headless host, the real engine and scripted models.
 */

let workspace: string;
test.beforeEach(() => {
  workspace = sandboxVisibleDir("m2d-e2e-details-");
  mkdirSync(join(workspace, "src"));
  writeFileSync(join(workspace, "README.md"), "# Demo\n");
});
test.afterEach(() => rmSync(workspace, { recursive: true, force: true }));

async function startTask(page: Page, task: string): Promise<void> {
  await page.getByTestId("new-agent-task").click();
  await page.getByTestId("agent-workspace").fill(workspace);
  await page.getByTestId("agent-task").fill(task);
  await page.getByTestId("agent-start").click();
}

const steps = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

test.setTimeout(150_000);

test("the MCP settings box shows its example as a placeholder only: saving the untouched box writes nothing", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "agent");
  await startTask(page, "What is in this folder?");
  await expect(steps(page).nth(1).locator(".markdown")).toContainText("Tell me which one to open next.", { timeout: 90_000 });

  await page.getByTestId("settings-toggle").click();
  const mcp = page.getByTestId("mcp-settings");
  const box = mcp.locator("#mcp-config");
  await expect(box).toHaveValue("");
  await expect(box).toHaveAttribute("placeholder", /"mcpServers"/);
  // The example starts a local script of the user's own: nothing that fetches and installs a package.
  expect(await box.getAttribute("placeholder")).not.toMatch(/npx|-y\b|uvx|pip/);
  await mcp.getByRole("button", { name: "Save" }).click();
  await expect(mcp.getByRole("alert")).toContainText("Nothing to save");
  expect(existsSync(join(host.dataDir, "mcp.json"))).toBe(false);
  await expect(mcp.getByTestId("mcp-server")).toHaveCount(0);
});

async function ask(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

const answers = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

test("every answer shows its own speed (tok/s, TTFT, tokens), stored with it: still there after a reload", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "chat");
  await ask(page, "First question");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await ask(page, "Second question");
  await expect(answers(page).nth(1)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  const check = async () => {
    for (const i of [0, 1]) {
      const stats = answers(page).nth(i).getByTestId("message-stats");
      await expect(stats).toHaveText(/^\d+\.\d tok\/s · TTFT \d+(\.\d)? m?s · [\d,]+ tokens?$/);
      await expect(stats).toHaveAttribute("title", /Prompt: [\d,]+ tokens/);
      // The model and the settings it ran with, on hover.
      await expect(stats).toHaveAttribute("title", /\([\w-]+\) · temperature 1 · top-p 0.95 · top-k 40 · context [\d,]+/);
    }
  };
  await check();
  await page.reload();
  await check();
});

test("the Attach button puts text files into the draft as a drop does, and refuses an image saying the model has no vision", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "chat");
  await expect(page.getByTestId("attach")).toBeVisible();
  await page.getByTestId("attach-input").setInputFiles([
    { name: "notes.py", mimeType: "text/x-python", buffer: Buffer.from("print('attached')\n") },
    { name: "photo.png", mimeType: "image/png", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  ]);
  await expect(page.getByTestId("composer-input")).toHaveValue(/notes\.py:\n```py\nprint\('attached'\)\n```/);
  await expect(page.getByTestId("composer-input")).not.toHaveValue(/PNG/);
  await expect(page.getByTestId("toast")).toContainText("photo.png is an image: the model has no vision, so only text files can be attached.");
});

test("denying an approval with a reason: nothing is written and the tool card shows the reason the model is told", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "edit");
  await startTask(page, "Make a notes file.");
  const card = page.getByTestId("approval-card");
  await expect(card).toBeVisible({ timeout: 90_000 });
  await card.getByTestId("deny-reason").fill("Keep notes in docs/ instead.");
  await expect(card.getByTestId("deny")).toHaveText("Deny with this reason");
  await card.getByTestId("deny").click();
  await expect(card).toHaveCount(0);
  const toolCard = steps(page).nth(0).getByTestId("agent-tool-call");
  await expect(toolCard).toHaveAttribute("data-tool", "write_file", { timeout: 90_000 });
  await expect(toolCard).toContainText("The user declined this action: Keep notes in docs/ instead.", { timeout: 90_000 });
  expect(existsSync(join(workspace, "notes.md"))).toBe(false);
});

test("search shows the versions of an edited message as one hit, its snippet highlighted", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "chat");
  await ask(page, "First **zebra** question");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  const input = page.getByTestId("composer-input");
  await input.press("ArrowUp");
  await input.fill("Second **zebra** question");
  await input.press("Enter");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });

  await page.keyboard.press("Control+k");
  await page.getByTestId("search-input").fill("zebra");
  const hits = page.getByTestId("search-hit");
  await expect(hits).toHaveCount(1);
  await expect(hits.getByTestId("search-hit-versions")).toHaveText("· 2 versions");
  await expect(hits.locator("mark")).toHaveText("zebra");
  // Rendered: the Markdown's asterisks are not shown.
  await expect(hits.locator(".snippet")).not.toContainText("*");
});

test("a default system prompt starts every new conversation; a saved preset applies its system prompt and sampling to another", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "chat");
  await page.getByTestId("settings-toggle").click();
  const presets = page.getByTestId("chat-presets");
  await presets.getByTestId("default-system-prompt").fill("Answer in French.");
  await presets.getByTestId("save-default-system-prompt").click();
  await expect(presets.getByTestId("presets-note")).toHaveText("New conversations start with this system prompt.");

  await ask(page, "Bonjour");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await expect(page.getByTestId("system-prompt")).toHaveValue("Answer in French.");

  // This conversation's settings, tuned, saved as a preset.
  await page.getByTestId("system-prompt").fill("Be exact.");
  await page.getByTestId("system-prompt").blur();
  await presets.getByTestId("preset-name").fill("Precise");
  await presets.getByTestId("preset-save").click();
  await expect(presets.getByTestId("preset")).toHaveCount(1);
  await expect(presets.getByTestId("preset")).toContainText("Precise");

  // A new conversation starts from the default, and the preset turns it into the saved one.
  await page.getByTestId("new-chat").click();
  await ask(page, "Encore");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  if (!(await page.getByTestId("chat-presets").isVisible())) await page.getByTestId("settings-toggle").click();
  await expect(page.getByTestId("system-prompt")).toHaveValue("Answer in French.");
  await page.getByTestId("chat-presets").getByTestId("preset-apply").click();
  await expect(page.getByTestId("presets-note")).toContainText("Applied “Precise”.");
  await expect(page.getByTestId("system-prompt")).toHaveValue("Be exact.");
  // Kept across a reload.
  await page.reload();
  if (!(await page.getByTestId("chat-presets").isVisible())) await page.getByTestId("settings-toggle").click();
  await expect(page.getByTestId("chat-presets").getByTestId("preset")).toContainText("Precise");
  await expect(page.getByTestId("default-system-prompt")).toHaveValue("Answer in French.");
});
