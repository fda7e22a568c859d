import type { Page } from "@playwright/test";
import { ensureM3TestModel } from "../node/gguf/m3-test-models";
import { expect, loadScriptedModel, test } from "./fixtures";

/* The thinking-mode chat setting (issue 15): offered for a minimax-m3 model, stored per conversation, absent for M2. */

async function ask(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}
const answers = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

async function loadM3(page: Page, url: string): Promise<void> {
  const path = await ensureM3TestModel("chat");
  await page.goto(url);
  await page.getByTestId("model-path").fill(path);
  await page.getByTestId("model-gpu").selectOption("cpu");
  await page.getByTestId("model-load").click();
  await expect(page.getByTestId("model-context")).toBeVisible({ timeout: 90_000 });
}

test("an M3 conversation offers its thinking modes and keeps the one chosen", async ({ page, host }) => {
  await loadM3(page, host.url);
  // Nothing M2-only once M3 is loaded: the welcome names it, the sampling reset reads its family's defaults.
  await expect(page.getByTestId("welcome").getByRole("heading")).toHaveText("Chat with MiniMax-M3, locally");
  await ask(page, "Show me a tiny example.");
  await expect(answers(page).nth(0)).toHaveAttribute("aria-label", "Assistant message");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await page.getByTestId("settings-toggle").click();
  const mode = page.getByTestId("model-thinking-mode");
  await expect(mode).toHaveValue("");
  await expect(mode.locator("option")).toHaveText(["Model default (adaptive)", "Enabled", "Adaptive", "Disabled"]);
  await expect(page.getByTestId("reset-defaults")).toHaveText("Reset to MiniMax-M3 defaults (1.0, 0.95, 40)");
  await mode.selectOption("disabled");
  await page.reload();
  if (!(await page.getByTestId("settings-panel").isVisible())) await page.getByTestId("settings-toggle").click();
  await expect(page.getByTestId("model-thinking-mode")).toHaveValue("disabled");
});

test("an M2 conversation shows no thinking-mode choice", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "chat");
  await ask(page, "Hi");
  await expect(answers(page).nth(0)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await page.getByTestId("settings-toggle").click();
  await expect(page.getByTestId("system-prompt")).toBeVisible();
  await expect(page.getByTestId("model-thinking-mode")).toHaveCount(0);
});
