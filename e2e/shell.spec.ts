import { expect, test } from "./fixtures";

test("the UI loads in Chromium and shows backend health and a live engine process", async ({ page, host }) => {
  await page.goto(host.url);
  await expect(page.getByTestId("connection-status")).toHaveText(/connected/);
  // Health details live on the System page, not the welcome page.
  await page.getByRole("link", { name: "System" }).click();
  await expect(page.getByTestId("backend-health")).toContainText("healthy");
  await expect(page.getByTestId("engine-status")).toHaveText(/Engine: ready \(pid \d+\)/);
});

test("killing the engine process with SIGKILL shows 'engine restarted' within 5 s", async ({ page, host }) => {
  await page.goto(host.url);
  const status = page.getByTestId("engine-status");
  await expect(status).toHaveText(/ready \(pid \d+\)/);
  const pid = Number(/pid (\d+)/.exec((await status.textContent()) ?? "")?.[1]);
  process.kill(pid, "SIGKILL");
  await expect(page.getByTestId("engine-restarted")).toBeVisible({ timeout: 5_000 });
  await expect(status).toHaveText(/ready \(pid \d+\)/, { timeout: 5_000 });
  expect(await status.textContent()).not.toContain(`pid ${pid})`);
  // The backend itself survived: a fresh call still answers.
  await page.getByRole("link", { name: "System" }).click();
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.getByTestId("backend-health")).toContainText("healthy");
});

test("the page without the token gets a typed 401, not the app", async ({ page, host }) => {
  const origin = new URL(host.url).origin;
  const response = await page.goto(origin + "/");
  expect(response?.status()).toBe(401);
  expect(await response?.json()).toMatchObject({ code: "unauthorized" });
});

test("the theme toggles between light and dark and survives a reload", async ({ page, host }) => {
  await page.goto(host.url);
  const html = page.locator("html");
  const before = await html.getAttribute("data-theme");
  await page.getByRole("button", { name: /Switch to/ }).click();
  const after = await html.getAttribute("data-theme");
  expect(after).not.toBe(before);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", after!);
});
