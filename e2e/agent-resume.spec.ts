import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { expect, loadScriptedModel, sandboxVisibleDir, screenshot, test } from "./fixtures";

/*
 * Resume in the app (issue 17 part 1): a run cut off by a crash of the whole backend (the host SIGKILLed with its
 * engine, then relaunched on the same data folder) is offered "Resume" in the agent view, and goes on from there.
 * The "edit" model's write waits on an approval in Ask mode, so the run is reliably mid-way when the host dies.
 */

let workspace: string;
test.beforeEach(() => {
  workspace = sandboxVisibleDir("m2d-e2e-resume-");
  writeFileSync(join(workspace, "README.md"), "# Demo\n");
});
test.afterEach(() => rmSync(workspace, { recursive: true, force: true }));
test.setTimeout(180_000);

const steps = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

test("after the backend is killed mid-run and relaunched, the agent view offers Resume, and the run goes on to its answer", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "edit");
  await page.getByTestId("new-agent-task").click();
  await page.getByTestId("agent-workspace").fill(workspace);
  await page.getByTestId("agent-task").fill("Make a notes file.");
  await page.getByTestId("agent-start").click();
  await expect(page.getByTestId("approval-card")).toBeVisible({ timeout: 90_000 });
  // While it runs there is Stop, not Resume.
  await expect(page.getByTestId("agent-stop")).toBeVisible();
  await expect(page.getByTestId("agent-resume")).toHaveCount(0);

  const relaunched = await host.restart();
  // A fresh backend has no model loaded: load it again, as after a relaunch of the app.
  await loadScriptedModel(page, relaunched.url, "edit");

  const entry = page.getByTestId("agent-history").getByTestId("conversation");
  await expect(entry).toHaveCount(1);
  await entry.locator(".conversation-open").click();
  const resume = page.getByTestId("agent-resume");
  await expect(resume).toBeVisible();
  await expect(page.getByTestId("approval-card")).toHaveCount(0); // the old approval died with its backend
  await screenshot(page, "agent-resume-offered");
  expect(existsSync(join(workspace, "notes.md"))).toBe(false);

  await resume.click();
  const card = page.getByTestId("approval-card");
  await expect(card).toBeVisible({ timeout: 90_000 });
  await expect(resume).toHaveCount(0);
  await card.getByTestId("approve").click();
  await expect(steps(page).last().locator(".markdown")).toContainText("I tried to create notes.md", { timeout: 90_000 });
  expect(readFileSync(join(workspace, "notes.md"), "utf8")).toBe("Hello from M2");
  // Finished with an answer: nothing left to resume.
  await expect(page.getByTestId("agent-send")).toBeVisible();
  await expect(resume).toHaveCount(0);
  await expect(page.locator("[data-testid=message][data-role=user]")).toHaveCount(1);
});
