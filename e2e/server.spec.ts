import type { Page } from "@playwright/test";
import { createServer } from "node:net";
import { expect, loadScriptedModel, test } from "./fixtures";

/*
 * The Server page against the real headless host: turned on in the UI, the key read from the page and the
 * clipboard, real HTTP requests from the test to the API it started, and each one in the live request log.
 */

test.setTimeout(150_000);

/** Opens the Server page and turns the API on, on any free port; returns its base URL and key. */
async function turnServerOn(page: Page): Promise<{ baseUrl: string; key: string }> {
  await page.getByTestId("nav-server").click();
  await expect(page.getByTestId("server-page")).toBeVisible();
  await expect(page.getByTestId("server-status")).toContainText("Off");
  await page.getByTestId("server-port").fill("0");
  await page.getByTestId("server-port-save").click();
  await expect(page.getByTestId("server-port-save")).toBeDisabled();
  // Checked once the backend says the server is on (a controlled box: click, then wait).
  await page.getByTestId("server-enabled").click();
  await expect(page.getByTestId("server-enabled")).toBeChecked();
  const url = page.getByTestId("server-url");
  await expect(url).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  // Masked until revealed.
  const masked = (await page.getByTestId("server-key").textContent())!;
  expect(masked).toContain("•");
  await page.getByTestId("server-key-reveal").click();
  const key = (await page.getByTestId("server-key").textContent())!;
  expect(key).toMatch(/^m2d-[\w-]{32}$/);
  expect(masked.startsWith(key.slice(0, 6))).toBe(true);
  return { baseUrl: (await url.textContent())!, key };
}

const chat = (baseUrl: string, key: string) =>
  fetch(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "What is the weather in Paris?" }], max_tokens: 8 }),
  });

test("the Server page turns the API on; a request with the copied key answers and shows in the live log", async ({ page, host, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(host.url).origin });
  await loadScriptedModel(page, host.url, "api");
  const { baseUrl, key } = await turnServerOn(page);

  await page.getByTestId("server-key-copy").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  // The snippets carry the real URL; copying one puts the real key in it.
  await expect(page.getByTestId("snippet-claude-code")).toContainText(`ANTHROPIC_BASE_URL=${baseUrl.replace(/\/v1$/, "")} ANTHROPIC_API_KEY=${key} claude`);
  await expect(page.getByTestId("snippet-codex")).toContainText('wire_api = "responses"');
  await page.getByTestId("snippet-copy-opencode").click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`"apiKey": "${key}"`);

  const response = await chat(baseUrl, key);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { model: string; usage: { completion_tokens: number } };
  expect(body.usage.completion_tokens).toBe(8);

  const row = page.getByTestId("server-request").filter({ hasText: "Chat Completions" });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-state", "done");
  await expect(row.getByTestId("server-request-status")).toHaveText("200");
  await expect(row).toContainText(body.model);
  // Generated tokens: the 8 asked for.
  await expect(row.locator("td").nth(5)).toHaveText("8");
});

test("regenerating the key refuses the old one at once with 401, the new one works, both in the log", async ({ page, host }) => {
  await page.goto(host.url);
  const { baseUrl, key: oldKey } = await turnServerOn(page);
  const models = (key: string) => fetch(`${baseUrl}/models`, { headers: { "x-api-key": key } });
  expect((await models(oldKey)).status).toBe(200);

  await page.getByTestId("server-key-regenerate").click();
  await expect(page.getByTestId("server-key")).not.toHaveText(oldKey);
  const newKey = (await page.getByTestId("server-key").textContent())!;
  expect(newKey).toMatch(/^m2d-[\w-]{32}$/);

  const refused = await models(oldKey);
  expect(refused.status).toBe(401);
  expect(await refused.json()).toMatchObject({ error: { type: "authentication_error", code: "unauthorized" } });
  expect((await models(newKey)).status).toBe(200);
  // The server was not restarted: the same URL.
  await expect(page.getByTestId("server-url")).toHaveText(baseUrl);

  const statuses = page.getByTestId("server-request-status");
  await expect(statuses).toHaveText(["200", "401 failed", "200"]);

  // The setting persists: after a restart of the host the server is on again, with the new key.
  const restarted = await host.restart();
  try {
    await page.goto(restarted.url);
    await page.getByTestId("nav-server").click();
    await expect(page.getByTestId("server-enabled")).toBeChecked();
    await expect(page.getByTestId("server-url")).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    await page.getByTestId("server-key-reveal").click();
    await expect(page.getByTestId("server-key")).toHaveText(newKey);
  } finally {
    await restarted.stop();
  }
});

test("cancel in the request log stops a running streamed request: the client's stream ends and the entry says cancelled", async ({ page, host }) => {
  await loadScriptedModel(page, host.url, "long");
  const { baseUrl, key } = await turnServerOn(page);
  const response = await fetch(`${baseUrl}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-api-key": key },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 8192, messages: [{ role: "user", content: "Write a long answer." }], stream: true }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  await reader.read();

  const row = page.getByTestId("server-request").filter({ hasText: "Messages (stream)" });
  await expect(row).toHaveAttribute("data-state", "running");
  await row.getByTestId("server-request-cancel").click();
  const text: string[] = [];
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text.push(new TextDecoder().decode(chunk.value));
  // Stopped long before its 8192 tokens: the long script writes 2048 lines.
  expect(text.join("")).not.toContain("Line 2048");
  await expect(row).toHaveAttribute("data-state", "cancelled");
  await expect(row.getByTestId("server-request-cancel")).toHaveCount(0);
});

test("a port in use shows why the server is not listening; another port then works", async ({ page, host }) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  try {
    await page.goto(host.url);
    await page.getByTestId("nav-server").click();
    await page.getByTestId("server-port").fill(String((blocker.address() as { port: number }).port));
    await page.getByTestId("server-port-save").click();
    await page.getByTestId("server-enabled").click();
    await expect(page.getByTestId("server-error")).toContainText("already in use");
    await expect(page.getByTestId("server-url")).toHaveCount(0);
    await page.getByTestId("server-port").fill("0");
    await page.getByTestId("server-port-save").click();
    await expect(page.getByTestId("server-url")).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  } finally {
    blocker.close();
  }
});
