import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "../../app/security-policy";
import { artifactCsp, startArtifactOrigin, type ArtifactOrigin } from "./artifact-origin";

const root = mkdtempSync(join(tmpdir(), "m2d-artifacts-"));
const workspace = join(root, "ws");
let artifacts: ArtifactOrigin;

beforeAll(async () => {
  mkdirSync(join(workspace, "site"), { recursive: true });
  writeFileSync(join(workspace, "site", "index.html"), "<script src='app.js'></script>");
  writeFileSync(join(workspace, "site", "app.js"), "document.title = 'ok';");
  writeFileSync(join(root, "secret.txt"), "TOP-SECRET");
  symlinkSync(join(root, "secret.txt"), join(workspace, "site", "link.txt"));
  artifacts = await startArtifactOrigin({ host: "127.0.0.1", appOrigin: () => "http://127.0.0.1:1234" });
});
afterAll(async () => {
  await artifacts.close();
  rmSync(root, { recursive: true, force: true });
});

describe("the artifact origin", () => {
  it("serves a granted page and its workspace files under a CSP that connects nowhere and only frames into the app", async () => {
    const url = await artifacts.grant(workspace, "site/index.html");
    expect(url.startsWith(`${artifacts.origin}/`)).toBe(true);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("frame-ancestors http://127.0.0.1:1234");
    expect(csp).toContain(`script-src 'unsafe-inline' 'unsafe-eval' ${artifacts.origin}`);
    const script = await fetch(new URL("app.js", url));
    expect(await script.text()).toBe("document.title = 'ok';");
  });

  it("refuses what is outside the workspace, through a symlink, under an unknown token, or not HTML", async () => {
    const url = await artifacts.grant(workspace, "site/index.html");
    const token = new URL(url).pathname.split("/")[1];
    for (const path of ["../secret.txt", "..%2F..%2Fsecret.txt", "site/link.txt", "site/missing.js"]) {
      const response = await fetch(`${artifacts.origin}/${token}/${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("TOP-SECRET");
    }
    expect((await fetch(`${artifacts.origin}/${"x".repeat(32)}/site/index.html`)).status).toBe(404);
    await expect(artifacts.grant(workspace, "site/app.js")).rejects.toMatchObject({ details: { reason: "not_html" } });
    await expect(artifacts.grant(workspace, "../secret.html")).rejects.toMatchObject({ code: "bad_request" });
  });

  it("names the app as the only frame ancestor where it has a web origin (Electron's file:// has none)", () => {
    expect(artifactCsp("http://127.0.0.1:2", "http://127.0.0.1:1")).toContain("frame-ancestors http://127.0.0.1:1");
    expect(artifactCsp("http://127.0.0.1:2", null)).not.toContain("frame-ancestors");
    expect(artifactCsp("http://127.0.0.1:2", null)).toContain("connect-src 'none'");
  });

  it("the app's own CSP frames exactly the artifact origin (the built-in meta: loopback only)", () => {
    expect(contentSecurityPolicy({ frameOrigins: [artifacts.origin] })).toContain(`frame-src 'self' ${artifacts.origin}`);
    expect(contentSecurityPolicy()).toContain("frame-src 'self' http://127.0.0.1:*");
  });
});
