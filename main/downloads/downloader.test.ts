import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DownloadErrorSchema } from "../../app/contract/downloads-api";
import { GATED_MESSAGE } from "./errors";
import { isLoadable } from "./library";
import { bufferContent, ggufBytes } from "./testing/content";
import { splitModel, useEmulator } from "./testing/harness";

const t = useEmulator();
const setup = (settings: Parameters<typeof t.setup>[0] = {}, token?: string) => t.setup(settings, token);

function contentOf(files: ReturnType<typeof splitModel>, i: number): Buffer {
  const f = files[i];
  if (!f) throw new Error("no file");
  return f.content.read(0, f.content.size);
}

describe("Downloader against the Hub emulator", () => {
  it("downloads a multi-part model with several connections, verifies it and makes it loadable", async () => {
    const files = splitModel("UD-Q2_K_XL", 3, 1_500_000);
    t.emulator.addRepo({ repo: "unsloth/MiniMax-M2-GGUF", files: [...files, ...splitModel("Q8_0", 2, 300_000)] });
    t.emulator.treePageSize = 3; // exercises the tree API's Link pagination
    const { downloader, models } = setup({}, "hf_secret");
    const progress: number[] = [];
    downloader.on("progress", (p) => progress.push(p.bytesDone));
    const started = await downloader.start({ ref: "hf:unsloth/MiniMax-M2-GGUF:UD-Q2_K_XL", destDir: models });
    expect(started).toMatchObject({ state: "running", totalBytes: 4_500_000, quant: "UD-Q2_K_XL" });
    const done = await downloader.wait(started.id);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ state: "completed", bytesDone: 4_500_000 });
    for (const [i, file] of done.files.entries()) {
      expect(readFileSync(file.path).equals(contentOf(files, i))).toBe(true);
      expect(isLoadable(t.db, file.path)).toBe(true);
    }
    expect(done.primaryPath.endsWith("MiniMax-M2-UD-Q2_K_XL-00001-of-00003.gguf")).toBe(true);
    expect(readdirSync(models).filter((n) => n.endsWith(".partial"))).toEqual([]);
    // Every byte once (plus one-byte probes), several connections, and the token never left the Hub.
    expect(t.emulator.bytesServed()).toBeLessThanOrEqual(4_500_000 + 12);
    const cdn = t.emulator.requests.filter((r) => r.origin === "cdn");
    expect(cdn.length).toBeGreaterThan(6);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
    expect(t.emulator.requests.filter((r) => r.origin === "hub").every((r) => r.authorization === "Bearer hf_secret")).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(t.db.prepare("SELECT verified FROM library_models").pluck().all()).toEqual([1]);
  });

  it("joins byte-split parts (name.gguf.partXofY) into one verified file", async () => {
    const whole = ggufBytes(2_000_000);
    t.emulator.addRepo({
      repo: "mradermacher/MiniMax-M2-GGUF",
      files: [
        { path: "MiniMax-M2.Q6_K.gguf.part2of2", content: bufferContent(whole.subarray(1_200_000)) },
        { path: "MiniMax-M2.Q6_K.gguf.part1of2", content: bufferContent(whole.subarray(0, 1_200_000)) },
      ],
    });
    const { downloader, models } = setup();
    const info = await downloader.wait((await downloader.start({ ref: "hf:mradermacher/MiniMax-M2-GGUF:Q6_K", destDir: models })).id);
    expect(info.state).toBe("completed");
    expect(info.files).toHaveLength(1);
    expect(info.primaryPath).toBe(join(models, "MiniMax-M2.Q6_K.gguf"));
    expect(readFileSync(info.primaryPath).equals(whole)).toBe(true);
    expect(isLoadable(t.db, info.primaryPath)).toBe(true);
  });

  it("catches a corrupted file: deletes it, says hash_mismatch, and a retry succeeds", async () => {
    const files = splitModel("Q4_K_M", 2, 800_000, "MiniMaxAI_MiniMax-M2");
    t.emulator.addRepo({ repo: "bartowski/MiniMaxAI_MiniMax-M2-GGUF", files });
    t.emulator.corrupt("bartowski/MiniMaxAI_MiniMax-M2-GGUF", files[1]?.path ?? "");
    const { downloader, models } = setup();
    const started = await downloader.start({ ref: "hf:bartowski/MiniMaxAI_MiniMax-M2-GGUF:Q4_K_M", destDir: models });
    const failed = await downloader.wait(started.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatchObject({ code: "storage", details: { reason: "hash_mismatch" } });
    // The strict wire schema reads what the downloader really produced.
    expect(DownloadErrorSchema.parse(failed.error)).toEqual(failed.error);
    expect(failed.error?.message).toMatch(/does not match the Hub's sha256.*deleted/);
    const bad = failed.files[1]?.path ?? "";
    expect(existsSync(bad)).toBe(false);
    expect(existsSync(`${bad}.partial`)).toBe(false);
    expect(isLoadable(t.db, bad)).toBe(false);
    expect(isLoadable(t.db, failed.primaryPath)).toBe(false);

    t.emulator.corrupt("bartowski/MiniMaxAI_MiniMax-M2-GGUF", files[1]?.path ?? "", false);
    await downloader.resume(started.id);
    const retried = await downloader.wait(started.id);
    expect(retried.state).toBe("completed");
    expect(readFileSync(bad).equals(contentOf(files, 1))).toBe(true);
    expect(isLoadable(t.db, bad)).toBe(true);
  });

  it("keeps a model the engine's validator rejects out of the library, with its typed error", async () => {
    t.emulator.addRepo({
      repo: "someone/other-GGUF",
      files: [{ path: "other-Q4_K_M.gguf", content: bufferContent(ggufBytes(300_000, { architecture: "not-an-arch" })) }],
    });
    const { downloader, models } = setup();
    const info = await downloader.wait((await downloader.start({ ref: "hf:someone/other-GGUF:Q4_K_M", destDir: models })).id);
    expect(info.state).toBe("failed");
    expect(info.error).toMatchObject({ code: "model_invalid", details: { reason: "unsupported_arch" } });
    // The strict wire schema reads what the downloader really produced.
    expect(DownloadErrorSchema.parse(info.error)).toEqual(info.error);
    expect(isLoadable(t.db, info.primaryPath)).toBe(false);
  });

  it("tells the user to accept the license for a gated repo, and works once a token is granted", async () => {
    t.emulator.addRepo({ repo: "MiniMaxAI/gated-GGUF", gated: true, files: splitModel("Q8_0", 1, 200_000) });
    const anonymous = setup();
    await expect(anonymous.downloader.start({ ref: "hf:MiniMaxAI/gated-GGUF:Q8_0", destDir: anonymous.models })).rejects.toMatchObject({
      code: "unauthorized",
      message: GATED_MESSAGE,
      details: { reason: "gated" },
    });
    t.emulator.grantToken("hf_granted");
    const authed = setup({}, "hf_granted").downloader;
    const info = await authed.wait((await authed.start({ ref: "hf:MiniMaxAI/gated-GGUF:Q8_0", destDir: anonymous.models })).id);
    expect(info.state).toBe("completed");
    expect(t.emulator.requests.filter((r) => r.origin === "cdn").every((r) => !r.authorization)).toBe(true);
  });
});
