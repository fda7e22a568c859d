import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, loadScriptedModel, test } from "./fixtures";
import { conversationDocument } from "./long-conversation";

/*
 * The chat screen against the real headless host and the real engine, running
 * scripted GGUFs: "chat" thinks one sentence, then answers with a TypeScript code
 * block, a list and a table; "long" answers with 2,048 numbered lines.
 */

const openWithModel = (page: Page, url: string, scenario: "chat" | "long") => loadScriptedModel(page, url, scenario);

async function ask(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

// Loading and generating share two cores with whatever else runs: generous limits, short tests.
test.setTimeout(150_000);

const assistant = (page: Page) => page.locator('[data-testid=message][data-role=assistant]').last();

test("an answer streams live thinking that collapses when the text starts, renders markdown with highlighted code, and survives a reload", async ({ page, host }) => {
  // The scripted thinking is one sentence, over within a frame on a fast machine: hold the
  // answer's first text back for a moment on its way to the page, so the live state shows.
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    let chain = Promise.resolve();
    let held = false;
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      const text = typeof message === "string" ? message : message.toString();
      if (!held && text.includes('"content_delta"')) {
        held = true;
        chain = chain.then(() => new Promise((resolve) => setTimeout(resolve, 2_500)));
      }
      chain = chain.then(() => ws.send(message));
    });
  });
  await openWithModel(page, host.url, "chat");
  // Every state the block goes through is recorded, rather than polled.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { thinkingStates: string[] }).thinkingStates = seen;
    new MutationObserver(() => {
      const block = document.querySelector("[data-role=assistant] [data-testid=thinking]");
      if (!block) return;
      const body = block.querySelector<HTMLElement>("[data-testid=thinking-body]");
      const state = [
        block.getAttribute("data-state"),
        block.querySelector("[data-testid=thinking-toggle]")?.getAttribute("aria-expanded"),
        body && !body.hidden && (body.textContent ?? "").trim() !== "" ? "text" : "no-text",
        document.querySelector("[data-role=assistant] .markdown") ? "answer" : "no-answer",
      ].join(" ");
      if (seen.at(-1) !== state) seen.push(state);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await ask(page, "Show me a formatting demo");

  const answer = assistant(page);
  await expect(answer.getByTestId("thinking-toggle")).toHaveText(/Thinking… \d+ s/);
  // The answer starts: the thinking folds to one line.
  await expect(answer.locator(".markdown")).toContainText("Here is a short example", { timeout: 90_000 });
  const states = await page.evaluate(() => (window as unknown as { thinkingStates: string[] }).thinkingStates);
  const live = states.indexOf("live true text no-answer"); // open, showing the reasoning, before any answer text
  expect(live, `thinking states: ${states.join(" → ")}`).toBeGreaterThanOrEqual(0);
  expect(states.slice(live).some((s) => s.startsWith("collapsed false no-text answer")), `thinking states: ${states.join(" → ")}`).toBe(true);
  await expect(answer.getByTestId("thinking-summary")).toHaveText(/^Thought for \d+ s · ~?\d+ tokens?$/);
  await expect(answer.getByTestId("thinking-toggle")).toHaveAttribute("aria-expanded", "false");
  await expect(answer.getByTestId("thinking-body")).toBeHidden();

  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await expect(answer.locator("code.hljs.language-ts .hljs-keyword").first()).toHaveText("export");
  await expect(answer.locator("[data-copy-code]")).toBeVisible();
  await expect(answer.locator("table td").first()).toHaveText("add(1, 2)");
  await expect(answer.locator("li").first()).toHaveText("It is a pure function.");

  // Expands on click, and from the keyboard.
  const toggle = answer.getByTestId("thinking-toggle");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(answer.getByTestId("thinking-body")).toContainText("a code block, a list and a table");
  await toggle.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await toggle.press(" ");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");

  // A reload comes back to the same conversation, thinking still open.
  await page.reload();
  await expect(page.getByTestId("chat-title")).toHaveText("Show me a formatting demo");
  await expect(page.locator('[data-testid=message][data-role=user]')).toHaveText(/Show me a formatting demo/);
  await expect(assistant(page).locator("code.hljs.language-ts")).toBeVisible();
  await expect(assistant(page).getByTestId("thinking-toggle")).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByTestId("conversation")).toHaveCount(1);
});

test("search (Ctrl+K) finds a word that is only in the thinking and jumps to the message", async ({ page, host }) => {
  await openWithModel(page, host.url, "chat");
  await ask(page, "Format something for me");
  await expect(assistant(page)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  await page.getByTestId("new-chat").click();
  await expect(page.getByTestId("welcome")).toBeVisible();

  await page.keyboard.press("Control+k");
  await page.getByTestId("search-input").fill("quick");
  const hit = page.getByTestId("search-hit").first();
  await expect(hit).toContainText("thinking");
  await expect(hit.locator("mark")).toHaveText("quick");
  await page.getByTestId("search-input").press("Enter");

  await expect(page.getByTestId("search-dialog")).toBeHidden();
  await expect(page.getByTestId("chat-title")).toHaveText("Format something for me");
  const answer = assistant(page);
  await expect(answer).toHaveClass(/message-focus/);
  await expect(answer.getByTestId("thinking-body")).toContainText("quick formatting demo");
});

test("stopping mid-stream keeps the partial answer, marked stopped", async ({ page, host }) => {
  await openWithModel(page, host.url, "long");
  await ask(page, "Write a long answer");
  const answer = assistant(page);
  await expect(answer.locator(".markdown")).toContainText("Line 3 of the long streaming answer.", { timeout: 90_000 });
  await page.keyboard.press("Escape");
  await expect(answer).toHaveAttribute("data-status", "stopped", { timeout: 15_000 });
  await expect(answer.getByTestId("message-status")).toHaveText("Stopped");
  await expect(answer.locator(".markdown")).toContainText("Line 1 of the long streaming answer.");
  await expect(answer.locator(".markdown")).not.toContainText("Line 2048 of");
  // Stored that way: a reload shows the same.
  await page.reload();
  await expect(assistant(page)).toHaveAttribute("data-status", "stopped");
  await expect(assistant(page).locator(".markdown")).toContainText("Line 3 of the long streaming answer.");
});

test("editing a message and resending creates a branch; both branches can be viewed", async ({ page, host }) => {
  await openWithModel(page, host.url, "chat");
  await ask(page, "First version of the question");
  await expect(assistant(page)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });

  // ↑ in the empty composer edits the last user message.
  const input = page.getByTestId("composer-input");
  await input.press("ArrowUp");
  await expect(input).toHaveValue("First version of the question");
  await input.fill("Second version of the question");
  await input.press("Enter");
  await expect(assistant(page)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });

  const user = page.locator('[data-testid=message][data-role=user]');
  await expect(user).toHaveCount(1);
  await expect(user).toContainText("Second version of the question");
  await expect(user.getByTestId("branch-position")).toHaveText("2/2");

  await user.getByRole("button", { name: "Previous version" }).click();
  await expect(user).toContainText("First version of the question");
  await expect(user.getByTestId("branch-position")).toHaveText("1/2");
  await expect(assistant(page).locator("code.hljs")).toBeVisible();

  await user.getByRole("button", { name: "Next version" }).click();
  await expect(user).toContainText("Second version of the question");
});

test("export gives Markdown with the thinking in a <details> block", async ({ page, host }) => {
  await openWithModel(page, host.url, "chat");
  await ask(page, "Export me");
  await expect(assistant(page)).toHaveAttribute("data-status", "complete", { timeout: 90_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-markdown").click()]);
  expect(download.suggestedFilename()).toMatch(/\.md$/);
  const markdown = readFileSync((await download.path())!, "utf8");
  expect(markdown).toContain("<details><summary>Thinking</summary>");
  expect(markdown).toContain("The user wants a quick formatting demo.");
  expect(markdown).toContain("```ts");
});

test("a long conversation opens with its tail; scrolling up loads older messages until the first one", async ({ page, host }) => {
  const gets: { limit?: number; beforeId?: string }[] = [];
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const call = JSON.parse(message.toString()) as { method?: string; params?: { limit?: number; beforeId?: string } };
      if (call.method === "chat.get") gets.push(call.params ?? {});
      server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  await page.goto(host.url);
  const json = JSON.stringify(conversationDocument(400));
  await page.getByTestId("import-input").setInputFiles({ name: "long.json", mimeType: "application/json", buffer: Buffer.from(json) });
  await expect(page.getByTestId("chat-title")).toHaveText("Benchmark: 400 messages", { timeout: 60_000 });
  await page.reload();
  const list = page.getByTestId("message-list");
  await expect(list).toContainText("Part 399 in short");
  // Only the tail was fetched on open; older pages come as the list scrolls up.
  expect(gets.at(-1)).toMatchObject({ limit: expect.any(Number) });
  expect(gets.at(-1)?.limit).toBeLessThan(400);
  const first = page.getByText("Question 1: part 0?", { exact: true });
  for (let i = 0; i < 30 && (await first.count()) === 0; i++) {
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.waitForTimeout(200);
  }
  await expect(first).toBeVisible();
  expect(gets.filter((g) => g.beforeId !== undefined).length).toBeGreaterThan(0);
  await expect(page.locator(".message-row", { has: first })).toHaveAttribute("data-index", "0");
  // Paging neither duplicated nor dropped a message: the last one is row 399 of 400.
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const last = page.locator(".message-row", { hasText: "Part 399 in short" });
  await expect(last).toHaveAttribute("data-index", "399");
});
