import { readFileSync, rmSync } from "node:fs";
import { ensureSplitTestModel, ensureTestModel } from "../node/gguf/m2-test-models";
import { bufferContent } from "../main/downloads/testing/content";
import { HubEmulator } from "../main/downloads/testing/hub-emulator";
import { expect, startHeadlessHost, test } from "./fixtures";

/*
 * The Models page against the real headless host, downloading over real HTTP from the Hub
 * emulator (tree API, /resolve/ 302 to a CDN origin, ranges, LFS hashes). What it serves is
 * the scripted "chat" minimax-m2 model as three gguf-split parts, so the download can load.
 */

const REPO = "m2d-e2e/MiniMax-M2-GGUF";
const GATED = "m2d-e2e/Gated-MiniMax-M2-GGUF";

async function emulatorWithModel(): Promise<{ emulator: HubEmulator; paths: string[] }> {
  const parts = await ensureSplitTestModel("chat", 3);
  const emulator = await HubEmulator.start();
  const files = parts.map((p, i) => ({ path: `Q8_0/MiniMax-M2-Q8_0-0000${i + 1}-of-00003.gguf`, content: bufferContent(readFileSync(p)) }));
  emulator.addRepo({ repo: REPO, files });
  emulator.addRepo({ repo: GATED, gated: true, files });
  return { emulator, paths: files.map((f) => f.path) };
}

test.setTimeout(180_000);

test("the Models page lists a repo served by the Hub, downloads it with visible progress, and the library loads it", async ({ page }) => {
  const { emulator } = await emulatorWithModel();
  // Slow enough per connection that progress, speed and pause are visible for a few seconds.
  emulator.throttle(120_000);
  // A shipped catalog repo the Hub serves: opening the page looks it up without a click.
  emulator.addRepo({ repo: "unsloth/MiniMax-M2-GGUF", files: [{ path: "Q8_0/MiniMax-M2-Q8_0.gguf", content: bufferContent(readFileSync(await ensureTestModel("chat"))) }] });
  const host = await startHeadlessHost(undefined, { HF_ENDPOINT: emulator.endpoint });
  try {
    await page.goto(host.url);
    await page.getByTestId("nav-models").click();
    await expect(page.getByTestId("models-page")).toBeVisible();
    // Tabs, the Library first; each tab scrolls on its own under a tab bar that stays.
    await expect(page.getByTestId("models-tab-library")).toHaveAttribute("aria-selected", "true");
    await page.getByTestId("models-tab-library").press("ArrowRight");
    await expect(page.getByTestId("models-tab-catalog")).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("models-tab-catalog")).toBeFocused();
    const panel = page.getByTestId("models-panel-catalog");
    expect(await panel.evaluate((el) => getComputedStyle(el).overflowY)).toBe("auto");
    const tabsTop = (await page.getByRole("tablist", { name: "Models" }).boundingBox())!.y;
    await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    expect((await page.getByRole("tablist", { name: "Models" }).boundingBox())!.y).toBe(tabsTop);
    // The shipped catalog is there, its sizes and fit looked up on opening; the emulator's repo is added by the add field, and goes on top.
    const shipped = page.locator('[data-testid=catalog-entry][data-repo="unsloth/MiniMax-M2-GGUF"]');
    await expect(shipped.locator("[data-testid=catalog-quant][data-quant=Q8_0]")).toContainText("MB");
    await expect(shipped.locator("[data-testid=catalog-quant][data-quant=Q8_0]").getByTestId("verdict")).toHaveText(/Fits/);
    await page.getByLabel(/Add a model/).fill(`hf:${REPO}`);
    await page.getByTestId("catalog-add").click();
    const entry = page.locator(`[data-testid=catalog-entry][data-repo="${REPO}"]`);
    await expect(page.getByTestId("catalog-entry").first()).toHaveAttribute("data-repo", REPO);
    await expect(entry.getByTestId("catalog-gated")).toHaveCount(0);
    const quant = entry.locator("[data-testid=catalog-quant][data-quant=Q8_0]");
    await expect(quant).toContainText("3 parts");
    await expect(quant).toContainText("MB");
    await expect(quant.getByTestId("verdict")).toHaveText(/Fits/);
    await expect(quant.getByTestId("recommended")).toBeVisible();

    await quant.getByRole("button", { name: `Download ${REPO} Q8_0` }).click();
    // Started: a toast says so, and the Downloads tab shows it, scrolled into view and marked.
    await expect(page.getByTestId("toast").filter({ hasText: `Downloading ${REPO} Q8_0` })).toBeVisible();
    await expect(page.getByTestId("models-tab-downloads")).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("models-tab-downloads")).toContainText("1");
    const download = page.getByTestId("download");
    await expect(download).toHaveAttribute("data-new", "true");
    await expect(download).toBeInViewport();
    await expect(download).toHaveAttribute("data-state", "running");
    const total = download.getByTestId("download-total");
    // Visible progress: strictly between 0 and 100 %, with per-file bars and a speed.
    await expect.poll(() => total.evaluate((el) => (el as HTMLProgressElement).value), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await total.evaluate((el) => (el as HTMLProgressElement).value)).toBeLessThan(100);
    await expect(download.getByRole("list", { name: /Files of/ }).locator("progress")).toHaveCount(3);
    await expect(download.getByTestId("download-meta")).toContainText("/s");

    // Pause keeps the progress; Resume continues from it.
    await download.getByRole("button", { name: /^Pause/ }).click();
    await expect(download).toHaveAttribute("data-state", "paused");
    const pausedAt = await total.evaluate((el) => (el as HTMLProgressElement).value);
    emulator.throttle(null);
    await download.getByTestId("download-resume").click();
    await expect(download).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
    expect(await total.evaluate((el) => (el as HTMLProgressElement).value)).toBeGreaterThanOrEqual(pausedAt);

    await page.getByTestId("models-tab-library").click();
    const model = page.getByTestId("library-model");
    await expect(model).toHaveCount(1);
    await expect(model.getByTestId("library-status")).toHaveText("Ready");
    await expect(model).toContainText("minimax-m2");
    await expect(model).toContainText("3 files");

    await model.getByTestId("library-load").click();
    await expect(page.getByTestId("model-context")).toBeVisible({ timeout: 120_000 });
    await expect(model.getByTestId("library-loaded")).toBeVisible();
  } finally {
    await host.stop();
    rmSync(host.dataDir, { recursive: true, force: true });
    await emulator.close();
  }
});

test("a corrupted file fails with the hash message and a Retry; a gated repo says to accept the license, and downloads once a token is saved; Delete asks first and says what it freed", async ({ page }) => {
  const { emulator, paths } = await emulatorWithModel();
  emulator.corrupt(REPO, paths[1]!);
  const host = await startHeadlessHost(undefined, { HF_ENDPOINT: emulator.endpoint });
  try {
    await page.goto(`${host.url}#models`);
    await page.getByTestId("models-tab-catalog").click();
    const add = async (ref: string) => {
      await page.getByLabel(/Add a model/).fill(ref);
      await page.getByTestId("catalog-add").click();
    };
    await add(`hf:${REPO}:Q8_0`);
    await page.getByRole("button", { name: `Download ${REPO} Q8_0` }).click();
    const download = page.getByTestId("download");
    await expect(download).toHaveAttribute("data-state", "failed", { timeout: 60_000 });
    await expect(download.getByTestId("download-error")).toContainText("does not match the Hub's sha256");
    await page.getByTestId("models-tab-library").click();
    await expect(page.getByTestId("library-model")).toHaveCount(0);
    await page.getByTestId("models-tab-downloads").click();

    emulator.corrupt(REPO, paths[1]!, false);
    await download.getByRole("button", { name: /^Retry/ }).click();
    await expect(download).toHaveAttribute("data-state", "completed", { timeout: 60_000 });

    await page.getByTestId("models-tab-catalog").click();
    await add(`hf:${GATED}`);
    // Flagged before any click, with the Hub page where its terms are accepted.
    const gated = page.locator(`[data-testid=catalog-entry][data-repo="${GATED}"]`).getByTestId("catalog-gated");
    await expect(gated).toContainText("license accepted on the Hub");
    await expect(gated.getByTestId("catalog-gated-link")).toHaveAttribute("href", `${emulator.endpoint}/${GATED}`);
    await page.getByRole("button", { name: `Download ${GATED} Q8_0` }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "accept the license on the Hub and add a token" })).toBeVisible();

    await page.getByTestId("models-tab-library").click();
    const model = page.getByTestId("library-model");
    await expect(model.getByTestId("library-status")).toHaveText("Ready");
    await model.getByTestId("library-delete").click();
    const confirm = model.getByRole("group", { name: /Confirm deleting/ });
    await expect(confirm).toContainText("from disk?");
    // Focus moves to the confirm button: Enter deletes.
    await expect(model.getByTestId("library-delete-confirm")).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("library-notice")).toContainText(/freed \d+(\.\d)? MB/);
    await expect(page.getByTestId("library-model")).toHaveCount(0);

    // A token saved in the settings (never shown again) opens the gated repo, at once.
    emulator.grantToken("hf_e2e_token");
    await page.getByTestId("models-tab-settings").click();
    await page.getByTestId("hub-token").fill("hf_e2e_token");
    await page.getByTestId("hub-token-save").click();
    await expect(page.getByTestId("hub-token")).toHaveAttribute("placeholder", "A token is set");
    await expect(page.getByTestId("hub-token")).toHaveValue("");
    await page.getByTestId("models-tab-catalog").click();
    await page.getByRole("button", { name: `Download ${GATED} Q8_0` }).click();
    await expect(page.getByTestId("download").filter({ hasText: GATED })).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  } finally {
    await host.stop();
    rmSync(host.dataDir, { recursive: true, force: true });
    await emulator.close();
  }
});
