import { readFileSync, rmSync } from "node:fs";
import type { Page } from "@playwright/test";
import { bufferContent } from "../main/downloads/testing/content";
import { HubEmulator } from "../main/downloads/testing/hub-emulator";
import { ensureTestModel } from "../node/gguf/m2-test-models";
import { expect, screenshot, startHeadlessHost, test } from "./fixtures";

/*
 * The header's model picker against the real headless host and engine: a GGUF imported into the library is
 * offered first (name, the quant its header declares, size, fit, last used), loads from there, and every place
 * that names it (the picker, Recent, the Library) marks the same entry loaded; Unload frees it from the popover
 * and from the Library.
 */

test.setTimeout(180_000);

async function importIntoLibrary(page: Page, path: string): Promise<void> {
  await page.getByTestId("nav-models").click();
  await page.getByTestId("library-import-path").fill(path);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.locator(`[data-testid=library-model][data-path="${path}"]`)).toBeVisible({ timeout: 60_000 });
  await page.getByTestId("nav-models").click(); // back to the chat
}

async function openPicker(page: Page) {
  await page.getByTestId("model-button").click();
  return page.getByRole("dialog", { name: "Model" });
}

test("the picker lists the library first, loads from it, marks the same entry loaded everywhere, and unloads", async ({ page, host }) => {
  const path = await ensureTestModel("chat");
  await page.goto(host.url);
  await importIntoLibrary(page, path);

  const picker = await openPicker(page);
  const row = picker.locator(`[data-testid=picker-model][data-path="${path}"]`);
  await expect(row).toBeVisible();
  // The scripted model's header says F32 (general.file_type), whatever its name says.
  await expect(row).toContainText("F32");
  await expect(row).toContainText(/\d+(\.\d)? (KB|MB)/);
  await expect(row).toContainText("never used");
  await expect(row.getByTestId("verdict")).toHaveText(/Fits|Fit unknown|Does not fit/);
  // Library first, then "Open a GGUF…"; the library row comes before the path field in the popover.
  const rowBox = (await row.boundingBox())!;
  const pathBox = (await picker.getByTestId("model-path").boundingBox())!;
  expect(rowBox.y).toBeLessThan(pathBox.y);

  await picker.getByTestId("model-gpu").selectOption("cpu");
  await row.getByTestId("picker-load").click();
  await expect(page.getByTestId("model-context")).toBeVisible({ timeout: 120_000 });
  await expect(row).toHaveClass(/loaded/);
  await expect(row.getByTestId("picker-unload")).toBeVisible();
  await expect(row).toContainText(/used (just now|1 min ago)/);
  await expect(picker.locator(`[data-testid=recent-model][data-path="${path}"]`).getByTestId("recent-loaded")).toBeVisible();
  await expect(page.getByTestId("system-memory")).toHaveText(/^RAM [\d.]+ (MB|GB) \/ [\d.]+ GB$/);
  await screenshot(page, "picker-loaded-1280x720-light");

  // Unload from the popover: nothing loaded, the status bar drops the model.
  await picker.getByTestId("model-unload").click();
  await expect(page.getByTestId("model-context")).toHaveCount(0);
  await expect(page.getByTestId("model-button")).toContainText("No model");
  await expect(row.getByTestId("picker-load")).toBeEnabled();

  // Loading by typing the same path marks the same library entry loaded, here and on the Models page.
  await picker.getByTestId("model-path").fill(path.replace(/\/([^/]+)$/, "//$1"));
  await picker.getByTestId("model-load").click();
  await expect(page.getByTestId("model-context")).toBeVisible({ timeout: 120_000 });
  await expect(row).toHaveClass(/loaded/);

  await page.getByTestId("nav-models").click();
  const entry = page.locator(`[data-testid=library-model][data-path="${path}"]`);
  await expect(entry.getByTestId("library-loaded")).toBeVisible();
  await entry.getByTestId("library-unload").click();
  await expect(entry.getByTestId("library-loaded")).toHaveCount(0);
  await expect(page.getByTestId("model-context")).toHaveCount(0);
  await expect(entry.getByTestId("library-load")).toBeEnabled();
});

test("the agent form offers the library's models when no model is loaded", async ({ page, host }) => {
  const path = await ensureTestModel("chat");
  await page.goto(host.url);
  await importIntoLibrary(page, path);
  await page.getByTestId("new-agent-task").click();
  await expect(page.locator(`[data-testid=new-agent-task] [data-testid=picker-model][data-path="${path}"]`)).toBeVisible();
});

test("the agent form still offers the library's models when a model is already loaded, and switches from there", async ({ page, host }) => {
  const [chat, agent] = await Promise.all([ensureTestModel("chat"), ensureTestModel("agent")]);
  await page.goto(host.url);
  await importIntoLibrary(page, chat);
  await importIntoLibrary(page, agent);
  const dialog = await openPicker(page);
  await dialog.getByTestId("model-gpu").selectOption("cpu"); // "auto" probes GPU backends
  await dialog.locator(`[data-testid=picker-model][data-path="${chat}"] [data-testid=picker-load]`).click();
  await expect(dialog.locator(`[data-testid=picker-model][data-path="${chat}"]`)).toHaveClass(/\bloaded\b/, { timeout: 90_000 });
  await page.getByTestId("model-button").click(); // close the popover

  await page.getByTestId("new-agent-task").click();
  const form = page.getByTestId("new-agent-task");
  const model = form.getByTestId("agent-model");
  const summary = model.locator("> summary");
  await expect(summary).toContainText("m2-scripted-chat");
  await summary.click();
  await expect(model.locator("[data-testid=picker-model]")).toHaveCount(2);
  await expect(model.locator(`[data-testid=picker-model][data-path="${chat}"]`)).toHaveClass(/\bloaded\b/);
  await screenshot(page, "agent-form-model-loaded");
  await model.getByTestId("model-gpu").selectOption("cpu");
  await model.locator(`[data-testid=picker-model][data-path="${agent}"] [data-testid=picker-load]`).click();
  await expect(summary).toContainText("m2-scripted-agent", { timeout: 90_000 });
  await expect(page.getByTestId("model-button")).toContainText("m2-scripted-agent");
});

test("the first screen's 'Get the recommended model for this machine' starts that download at once", async ({ page }) => {
  const emulator = await HubEmulator.start();
  const host = await startHeadlessHost(undefined, { HF_ENDPOINT: emulator.endpoint });
  try {
    await page.goto(host.url);
    const pick = page.getByTestId("welcome-pick");
    await expect(pick).toBeVisible();
    // Serve the pick (the catalog's first recommended quant) from the emulated Hub: the scripted chat model.
    const [repo, quant] = (await pick.textContent())!.split(" · ");
    const model = readFileSync(await ensureTestModel("chat"));
    emulator.addRepo({ repo: repo!, files: [{ path: `${quant}/Model-${quant}.gguf`, content: bufferContent(model) }] });

    await page.getByTestId("welcome-get-model").click();
    await expect(page.getByTestId("models-page")).toBeVisible();
    await expect(page.getByTestId("download")).toBeVisible();
    await expect(page.getByTestId("download")).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
    await page.getByTestId("models-tab-library").click();
    await expect(page.getByTestId("library-model")).toHaveCount(1);
  } finally {
    await host.stop();
    rmSync(host.dataDir, { recursive: true, force: true });
    await emulator.close();
  }
});
