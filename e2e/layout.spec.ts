import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect, loadScriptedModel, screenshot as shot, test } from "./fixtures";

/*
 * The layout at the window sizes people use, in light and dark: side panels never cover the header's buttons,
 * popovers stay inside the window, and at 800×600 the sidebar collapses, panels become overlays with a close
 * button and the status bar truncates. With M2D_SCREENSHOTS=<dir> it also writes what it looked at there.
 */

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 700 },
  { width: 800, height: 600 },
] as const;

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error("not on screen");
  return b;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function setTheme(page: Page, theme: "light" | "dark"): Promise<void> {
  if ((await page.locator("html").getAttribute("data-theme")) !== theme) {
    // In a narrow window the toggle is in the collapsed sidebar.
    const collapsed = await page.getByTestId("sidebar-toggle").isVisible();
    if (collapsed) await page.getByRole("button", { name: "Open the sidebar" }).click();
    await page.getByRole("button", { name: /Switch to/ }).click();
    if (collapsed) await page.getByRole("button", { name: "Close the sidebar" }).click();
  }
  await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
}

for (const size of SIZES) {
  for (const theme of ["light", "dark"] as const) {
    test(`${size.width}×${size.height} ${theme}: panels and popovers stay clear of the header and inside the window`, async ({ page, host }) => {
      await page.setViewportSize(size);
      await page.goto(host.url);
      await expect(page.getByTestId("connection-status")).toHaveText(/connected/);
      await setTheme(page, theme);
      const tag = `${size.width}x${size.height}-${theme}`;
      await shot(page, `welcome-${tag}`);

      // The settings panel opens without covering the header's model button or its own toggle.
      await page.getByTestId("settings-toggle").click();
      const panel = page.getByTestId("settings-panel");
      await expect(panel).toBeVisible();
      await shot(page, `settings-${tag}`);
      expect(overlaps(await box(panel), await box(page.getByTestId("model-button")))).toBe(false);
      const toggle = page.getByTestId("settings-toggle");
      if (await toggle.isVisible()) expect(overlaps(await box(panel), await box(toggle))).toBe(false);
      const inWindow = await box(panel);
      expect(inWindow.x + inWindow.width).toBeLessThanOrEqual(size.width + 1);
      await panel.getByRole("button", { name: "Close settings" }).click();
      await expect(panel).toHaveCount(0);

      // The model popover stays inside the window.
      await page.getByTestId("model-button").click();
      const popover = page.getByRole("dialog", { name: "Model" });
      await expect(popover).toBeVisible();
      await shot(page, `model-popover-${tag}`);
      const p = await box(popover);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x + p.width).toBeLessThanOrEqual(size.width + 1);
      expect(p.y + p.height).toBeLessThanOrEqual(size.height + 1);

      // The status bar is one line, inside the window.
      const bar = await box(page.locator(".status-bar"));
      expect(bar.height).toBeLessThan(40);
      expect(bar.x + bar.width).toBeLessThanOrEqual(size.width + 1);
    });
  }
}

test("at 800×600 the sidebar collapses to a rail that opens over the page, and the welcome page shows no internals", async ({ page, host }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(host.url);
  await expect(page.getByTestId("connection-status")).toHaveText(/connected/);
  await expect(page.getByTestId("new-chat")).toBeHidden();
  const toggle = page.getByTestId("sidebar-toggle");
  expect((await box(page.locator(".sidebar"))).width).toBeLessThan(60);
  await toggle.click();
  await expect(page.getByTestId("new-chat")).toBeVisible();
  await shot(page, "sidebar-open-800x600-light");
  await page.getByRole("button", { name: "Close the sidebar" }).click();
  await expect(page.getByTestId("new-chat")).toBeHidden();

  // One call to action, and no schema version or pid on the first screen.
  const welcome = page.getByTestId("welcome");
  await expect(welcome.getByTestId("welcome-get-model")).toBeVisible();
  await expect(welcome).not.toContainText(/schema|pid/i);
  await welcome.getByTestId("welcome-get-model").click();
  await expect(page.getByTestId("models-page")).toBeVisible();

  // The composer's controls stay inside the window.
  await page.getByTestId("nav-models").evaluate((el) => (el as HTMLElement).click());
  const composer = await box(page.locator(".composer"));
  expect(composer.x + composer.width).toBeLessThanOrEqual(801);
});

test("at 800×600 the Changed files and Settings panels are overlays with close buttons, clear of the header's buttons and of each other", async ({ page, host }) => {
  test.setTimeout(150_000);
  // A real folder the sandbox would also see (its tmpfs hides /tmp), as agent.spec.ts picks one.
  const workspace = mkdtempSync(join(existsSync("/var/cache") ? "/var/cache" : process.cwd(), "m2d-e2e-layout-"));
  try {
    await page.setViewportSize({ width: 800, height: 600 });
    await loadScriptedModel(page, host.url, "edit");
    await page.getByTestId("sidebar-toggle").click();
    await page.getByTestId("new-agent-task").click();
    await page.getByTestId("agent-workspace").fill(workspace);
    await page.getByTestId("agent-task").fill("Make a notes file.");
    await page.getByTestId("agent-start").click();
    await page.getByTestId("approval-card").getByTestId("approve").click({ timeout: 90_000 });
    const changes = page.getByTestId("changed-files");
    await expect(changes).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId("agent-send")).toBeVisible({ timeout: 90_000 });

    const header = ["model-button", "settings-toggle"].map((id) => page.getByTestId(id));
    const clearOfHeader = async (panel: Locator) => {
      for (const button of header) expect(overlaps(await box(panel), await box(button))).toBe(false);
      const b = await box(panel);
      expect(b.x + b.width).toBeLessThanOrEqual(801);
    };
    // An overlay: the conversation keeps the whole width under it.
    expect((await box(page.locator(".message-list, .message-pane").first())).width).toBeGreaterThan(600);
    await clearOfHeader(changes);

    await page.getByTestId("settings-toggle").click();
    const settings = page.getByTestId("settings-panel");
    await expect(settings).toBeVisible();
    await shot(page, "changed-files-and-settings-800x600-light");
    await clearOfHeader(settings);
    await clearOfHeader(changes);
    expect(overlaps(await box(changes), await box(settings))).toBe(false);

    // Each closes with its own button; Changed files comes back from its tab.
    await changes.getByTestId("changed-files-close").click();
    await expect(changes).toHaveCount(0);
    const tab = page.getByTestId("changed-files-open");
    await expect(tab).toHaveText("Changed files (1)");
    expect(overlaps(await box(tab), await box(settings))).toBe(false);
    await settings.getByRole("button", { name: "Close settings" }).click();
    await expect(settings).toHaveCount(0);
    for (const button of header) expect(overlaps(await box(tab), await box(button))).toBe(false);
    await tab.click();
    await expect(changes).toBeVisible();
    await expect(changes.getByTestId("changed-file")).toHaveAttribute("data-path", "notes.md");
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
