import type { Page } from "@playwright/test";
import { ensureTestModel, readChatTemplate } from "../node/gguf/m2-test-models";
import { expect, loadScriptedModel, test } from "./fixtures";

/*
 * What the Model panel says about the loaded model's prompt format, against the real host and engine:
 * MiniMax's own template is named and nothing more; a file whose template the app does not recognise
 * gets a notice that its own template is used, and still chats.
 */

test.setTimeout(150_000);

async function askAndWait(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
  await expect(page.locator("[data-testid=message][data-role=assistant]").last()).toContainText("add(1, 2)", { timeout: 60_000 });
}

test("MiniMax's template is named as official, with no notice", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "chat");
  await page.getByTestId("model-button").click();
  await expect(page.getByTestId("loaded-template")).toHaveText("MiniMax-M2 · official template");
  await expect(page.getByTestId("template-notice")).toHaveCount(0);
});

test("a template the app does not recognise: the panel says the file's own is used, and the model still answers", async ({ page, host }) => {
  const chatTemplate = `${(await readChatTemplate()).trimEnd()}\n{#- a fine-tune's note -#}\n`;
  const path = await ensureTestModel("chat", { label: "custom", generalName: "MiniMax-M2-finetune", chatTemplate });
  await page.goto(host.url);
  await page.getByTestId("model-path").fill(path);
  await page.getByTestId("model-gpu").selectOption("cpu");
  await page.getByTestId("model-load").click();
  await expect(page.getByTestId("model-context")).toBeVisible({ timeout: 90_000 });
  await page.getByTestId("model-button").click();
  await expect(page.getByTestId("loaded-template")).toHaveText("MiniMax-M2 · the file's own template");
  await expect(page.getByTestId("template-notice")).toContainText("not MiniMax's official MiniMax-M2 template");
  await page.keyboard.press("Escape");
  await askAndWait(page, "Show me a tiny example.");
});
