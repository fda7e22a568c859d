import type { Page } from "@playwright/test";
import { expect, loadScriptedModel, screenshot, test } from "./fixtures";

/*
 * Continue after Stop (issue 16) against the real headless host and engine on the scripted "long" model
 * (2,048 numbered lines): a stopped answer continues into the same message, which grows to the end.
 */

test.setTimeout(150_000);

const assistant = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

test("a stopped answer offers Continue; the same message grows to the whole answer, live, and stays so after a reload", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "long");
  const input = page.getByTestId("composer-input");
  await input.fill("Write a long answer");
  await input.press("Enter");
  const answer = assistant(page).last();
  await expect(answer.locator(".markdown")).toContainText("Line 3 of the long streaming answer.", { timeout: 90_000 });
  await page.keyboard.press("Escape");
  await expect(answer).toHaveAttribute("data-status", "stopped", { timeout: 15_000 });
  await expect(answer.locator(".markdown")).not.toContainText("Line 2048 of");
  const stoppedText = (await answer.locator(".markdown").textContent()) ?? "";

  await answer.hover();
  await answer.getByRole("button", { name: "Continue answer" }).scrollIntoViewIfNeeded();
  await expect(answer.getByRole("button", { name: "Continue answer" })).toBeVisible();
  await screenshot(page, "chat-stopped-continue-1280x720-light");
  await answer.getByRole("button", { name: "Continue answer" }).click();
  // While it streams, the text it had stays on screen and the new lines follow it.
  await expect(answer).toHaveAttribute("data-status", "streaming");
  await expect(answer.locator(".markdown")).toContainText("Line 1 of the long streaming answer.");
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await expect(answer.locator(".markdown")).toContainText("Line 2048 of the long streaming answer.");
  const grown = (await answer.locator(".markdown").textContent()) ?? "";
  expect(grown.startsWith(stoppedText.trimEnd())).toBe(true);
  expect(grown.length).toBeGreaterThan(stoppedText.length);
  // Still one answer: continued in place, not a new version; Continue is gone once it is complete.
  await expect(assistant(page)).toHaveCount(1);
  await expect(answer.getByRole("button", { name: "Continue answer" })).toHaveCount(0);
  await page.reload();
  await expect(assistant(page)).toHaveCount(1);
  await expect(assistant(page).last().locator(".markdown")).toContainText("Line 2048 of the long streaming answer.");
  await expect(assistant(page).last().locator(".markdown")).toContainText("Line 1 of the long streaming answer.");
});
