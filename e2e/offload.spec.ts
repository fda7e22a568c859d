import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeM2HeaderOnly } from "../node/gguf/m2-header-only";
import { ensureOffloadTestModel } from "../engine/offload/offload-test-model";
import { expect, test } from "./fixtures";

/*
 * The load dialog's plan against the real headless host and the real engine, with a generated
 * random-weight minimax-m2 model whose experts are most of its bytes. This machine (and CI) runs the
 * CPU backend, where there is no GPU to split across, so the N slider is exercised on the planner's
 * "plan for another machine" (a 2 GiB GPU): the same engine plan method, given that machine's memory.
 * The load itself uses this machine and must report the split it applied.
 */

test.setTimeout(150_000);

test("the load dialog plans the model, re-plans as N moves, and the status bar shows the split loaded", async ({ page, host }) => {
  const { path } = await ensureOffloadTestModel();
  await page.goto(host.url);
  await page.getByTestId("model-gpu").selectOption("cpu");
  await page.getByTestId("model-path").fill(path);

  // This machine's plan: CPU backend, every layer on the CPU, bars for both memories.
  const line = page.getByTestId("plan-line");
  await expect(line).toHaveText(/^CPU only \(0\/4 layers on GPU\): [\d.]+ GiB RAM, ≤ /, { timeout: 60_000 });
  await expect(page.getByTestId("memory-bar-ram")).toContainText(/free/);
  await expect(page.getByTestId("memory-bar-vram")).toContainText("no GPU on this backend");
  await expect(page.getByTestId("plan-slider")).toBeDisabled();

  // Another machine: 2 GiB of VRAM holds all 4 layers; the slider moves experts to RAM.
  await page.getByText("Advanced").click();
  await page.getByTestId("plan-what-if").check();
  await page.getByTestId("plan-what-if-vram").fill("2");
  await page.getByTestId("plan-what-if-ram").fill("8");
  await expect(line).toHaveText(/^4\/4 layers on GPU: [\d.]+ GiB VRAM/);
  await expect(page.getByTestId("memory-bar-vram")).toContainText(/free/);
  const slider = page.getByTestId("plan-slider");
  await expect(slider).toBeEnabled();
  await slider.fill("2");
  await expect(page.getByTestId("plan-n")).toHaveText("2");
  await expect(line).toHaveText(/^4\/4 layers on GPU, experts of 2 layers in RAM: /);
  await slider.fill("4");
  await expect(line).toHaveText(/^4\/4 layers on GPU, experts of 4 layers in RAM: /);

  // Back to this machine, and load: the split lands in the status bar and the model facts.
  await page.getByTestId("plan-what-if").uncheck();
  await expect(line).toHaveText(/^CPU only/);
  await page.getByTestId("model-load").click();
  await expect(page.getByTestId("model-split")).toHaveText("CPU only", { timeout: 90_000 });
  // Once a model is loaded the welcome page drops its model panel; the header's picker holds the facts.
  await page.getByTestId("model-button").click();
  await expect(page.getByTestId("loaded-split")).toHaveText("CPU only");
});

test("a model that does not fit this machine is refused with the planner's message; Load needs an explicit confirm", async ({ page, host }) => {
  // MiniMax-M2 Q8_0's real tensor table in a sparse file: 243 GB to the planner (more than any test box has free), no disk.
  const dir = mkdtempSync(join(tmpdir(), "m2d-e2e-q8-"));
  try {
    const q8 = join(dir, "MiniMax-M2-Q8_0.gguf");
    await writeM2HeaderOnly(q8, "Q8_0");
    await page.goto(host.url);
    await page.getByTestId("model-gpu").selectOption("cpu");
    await page.getByTestId("model-path").fill(q8);
    await expect(page.getByTestId("plan-line")).toHaveText(/^Does not fit: /, { timeout: 60_000 });
    await expect(page.getByTestId("memory-bar-ram")).toHaveClass(/over/);
    const load = page.getByTestId("model-load");
    await expect(load).toBeDisabled();
    await page.getByTestId("plan-confirm").getByRole("checkbox").check();
    await expect(load).toBeEnabled();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
