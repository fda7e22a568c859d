import { ensureTestModel } from "../node/gguf/m2-test-models";
import { expect, test } from "./fixtures";

/*
 * A prompt longer than the loaded context, in the chat against the real headless host and engine on
 * the scripted "chat" GGUF loaded with 512 tokens: the failed answer offers "Reload with N tokens of
 * context" (N from the planner); the button reloads the model with it and the same answer is retried.
 */
test.setTimeout(240_000);

test("a prompt that does not fit offers a reload with the planner's context; the retried answer shows its prompt processing in the answer and the status bar, and completes", async ({ page, host }) => {
  const path = await ensureTestModel("chat");
  await page.goto(host.url);
  await page.getByTestId("model-path").fill(path);
  await page.getByTestId("model-gpu").selectOption("cpu");
  await page.getByLabel("Context", { exact: true }).fill("512");
  await page.getByTestId("model-load").click();
  await expect(page.getByTestId("model-context")).toHaveText("ctx 512", { timeout: 120_000 });

  const input = page.getByTestId("composer-input");
  await input.fill(`Show me a formatting demo. ${"Some background you can skip. ".repeat(60)}`);
  await input.press("Enter");

  const answer = page.locator("[data-testid=message][data-role=assistant]").last();
  await expect(answer).toHaveAttribute("data-status", "error", { timeout: 120_000 });
  const offer = page.getByTestId("context-reload");
  await expect(offer).toContainText(/The prompt is [\d,]+ tokens; the context holds 512\./);
  // The failure's details are stored with the answer: a fresh page, which never saw the stream, still offers the reload.
  await page.reload();
  await expect(answer).toHaveAttribute("data-status", "error", { timeout: 30_000 });
  await expect(offer).toContainText(/The prompt is [\d,]+ tokens; the context holds 512\./);
  const button = page.getByTestId("context-reload-button");
  await expect(button).toHaveText(/^Reload with [\d,]+ tokens of context$/);
  const n = (await button.textContent())?.match(/Reload with ([\d,]+) tokens/)?.[1] ?? "";

  // The retried prompt is longer than one batch: its processing shows in the answer and the status bar.
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { progressSeen: Set<string> }).progressSeen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll("[data-testid=prompt-progress]")) seen.add(`${el.closest(".status-bar") ? "status" : "answer"} ${el.textContent ?? ""}`);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await button.click();
  await expect(page.getByTestId("model-context")).toHaveText(`ctx ${n}`, { timeout: 120_000 });
  const retried = page.locator("[data-testid=message][data-role=assistant]").last();
  await expect(retried).toHaveAttribute("data-status", "complete", { timeout: 120_000 });
  await expect(page.getByTestId("context-reload")).toHaveCount(0);
  const seen = await page.evaluate(() => [...(window as unknown as { progressSeen: Set<string> }).progressSeen]);
  expect(seen.some((s) => /^answer Processing prompt [\d,]+ \/ [\d,]+$/.test(s)), seen.join("; ")).toBe(true);
  expect(seen.some((s) => /^status Processing prompt [\d,]+ \/ [\d,]+$/.test(s)), seen.join("; ")).toBe(true);
});
