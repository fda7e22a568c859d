import type { Page } from "@playwright/test";
import { expect, loadScriptedModel, test } from "./fixtures";

/*
 * A reload mid-answer (issue 16) against the real headless host and engine on the scripted "long" model: the
 * reloaded page follows the answer live (chat.follow, then the generation's own tokens), not by re-reading the
 * stored message once a second, and the answer ends whole, with the same "Thought for N s · N tokens".
 */

test.setTimeout(150_000);

const assistant = (page: Page) => page.locator("[data-testid=message][data-role=assistant]");

test("a page reloaded mid-answer keeps streaming the live tokens and ends with the whole answer", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "long");
  const input = page.getByTestId("composer-input");
  await input.fill("Write a long answer");
  await input.press("Enter");
  await expect(assistant(page).last().locator(".markdown")).toContainText("Line 2 of the long streaming answer.", { timeout: 90_000 });
  await page.reload();

  const answer = assistant(page).last();
  await expect(answer).toHaveAttribute("data-status", "streaming", { timeout: 15_000 });
  // Live: the text grows many times a second (a once-a-second re-read of the stored message could not). Counted in
  // the page by a MutationObserver, so a slow, noisy test runner's round trips do not bound how many changes it sees.
  const seen = await answer.evaluate(
    (el, windowMs) =>
      new Promise<{ changes: number; ms: number }>((resolve) => {
        const markdown = el.querySelector(".markdown");
        const lengths = new Set<number>([markdown?.textContent?.length ?? 0]);
        const started = performance.now();
        const observer = new MutationObserver(() => {
          lengths.add(el.querySelector(".markdown")?.textContent?.length ?? 0);
          if (el.getAttribute("data-status") !== "streaming" || performance.now() - started > windowMs) finish();
        });
        const finish = () => {
          observer.disconnect();
          resolve({ changes: lengths.size - 1, ms: performance.now() - started });
        };
        observer.observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
        setTimeout(finish, windowMs);
      }),
    2000,
  );
  console.log(`reload-streaming: ${seen.changes} text changes in ${Math.round(seen.ms)} ms`);
  // A once-a-second re-read changes the text at most once per second of the window.
  expect(seen.changes).toBeGreaterThanOrEqual(6);
  expect(seen.changes).toBeGreaterThan(Math.ceil(seen.ms / 1000) + 1);
  const liveSummary = await answer.getByTestId("thinking-summary").textContent();
  expect(liveSummary).toMatch(/^Thought for \d+ s · \d+ tokens$/);

  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  const text = (await answer.locator(".markdown").textContent()) ?? "";
  expect(text).toContain("Line 2048 of the long streaming answer.");
  // Nothing doubled where the followed text and the live tokens meet.
  for (const n of [1, 2, 3, 500, 2048]) expect(text.split(`Line ${n} of the long`).length - 1).toBe(1);
  await expect(assistant(page)).toHaveCount(1);
  await expect(answer.getByTestId("thinking-summary")).toHaveText(/^Thought for \d+ s · \d+ tokens$/);
});
