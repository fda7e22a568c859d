import { AppError } from "../../../app/contract/errors";
import { findChromium, ChromiumPageChecker } from "./chromium-page-checker";
import type { ToolContext } from "./context";
import { ElectronPageChecker, pageWindowOptions } from "./electron-page-checker";
import type { ToolOutput } from "./output";
import { PAGE_ORIGIN } from "./page-server";
import type { ToolArgs } from "./schemas";
import { headBytes, RESULT_CAP_BYTES, truncationMarker } from "./truncate";

export interface PageProblem {
  text: string;
  /** Where it happened, `url:line:column`, when the browser said. */
  location?: string;
}

/** What loading one page produced. */
export interface PageReport {
  title: string;
  /** Did the load event fire before the checker gave up waiting? */
  loaded: boolean;
  consoleErrors: PageProblem[];
  consoleWarnings: PageProblem[];
  exceptions: PageProblem[];
  failedRequests: Array<{ url: string; error: string }>;
}

/** A workspace page: the browser sees it at pageUrl(path), served from `root` by page-server.ts. */
export interface PageTarget {
  /** Real path of the workspace root. */
  root: string;
  /** "/"-separated, relative to the root. */
  path: string;
}

/** Loads a workspace HTML file with no network and reports what went wrong on it. */
export interface PageChecker {
  /** A person-readable name, e.g. "Chromium 140 (headless)". */
  readonly name: string;
  /** Loads `page`; only the workspace's files are served, every other request is refused. */
  check(page: PageTarget, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<PageReport>;
}

/** Entries per kind in the result: a page with a thousand errors needs the first few fixed first. */
export const MAX_PROBLEMS_PER_KIND = 30;
const MAX_PROBLEM_CHARS = 600;

function line(problem: PageProblem): string {
  const text = problem.text.length > MAX_PROBLEM_CHARS ? `${problem.text.slice(0, MAX_PROBLEM_CHARS)}…` : problem.text;
  return `- ${text}${problem.location ? ` (at ${problem.location})` : ""}`;
}

function section(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [`${title}: none`];
  const shown = lines.slice(0, MAX_PROBLEMS_PER_KIND);
  const more = lines.length - shown.length;
  return [`${title} (${lines.length}):`, ...shown, ...(more > 0 ? [`- … and ${more} more`] : [])];
}

export function formatPageReport(path: string, report: PageReport, checker: string): string {
  const problems = report.consoleErrors.length + report.consoleWarnings.length + report.exceptions.length + report.failedRequests.length;
  const text = [
    `check_page ${path} in ${checker} (network blocked; the workspace is served as ${PAGE_ORIGIN}/)`,
    `title: ${report.title === "" ? "(none)" : JSON.stringify(report.title)}`,
    report.loaded ? `loaded; ${problems === 0 ? "no problems found" : `${problems} problem(s)`}` : "the load event did not fire in time (a script may still be running or a resource hanging)",
    ...section("uncaught exceptions", report.exceptions.map(line)),
    ...section("console errors", report.consoleErrors.map(line)),
    ...section("console warnings", report.consoleWarnings.map(line)),
    ...section("failed requests", report.failedRequests.map((r) => `- ${r.url.length > MAX_PROBLEM_CHARS ? `${r.url.slice(0, MAX_PROBLEM_CHARS)}…` : r.url}: ${r.error}`)),
  ].join("\n");
  const { head, omittedBytes } = headBytes(text, RESULT_CAP_BYTES);
  return omittedBytes > 0 ? `${head}\n${truncationMarker(omittedBytes, "fix the first problems and check the page again")}` : head;
}

export const CHECK_PAGE_UNAVAILABLE = "check_page is unavailable: no Chromium found (install chromium, or set CHROME_PATH to a Chrome or Chromium binary).";

/** Read-only: the page is served from the workspace to a throwaway browser profile, with every network request refused. */
export async function checkPageTool(ctx: ToolContext, args: ToolArgs["check_page"]): Promise<ToolOutput> {
  const resolved = await ctx.guard.forRead(args.path);
  if (!resolved.stats.isFile()) {
    throw new AppError("bad_request", `${args.path} is not a file.`, { reason: "not_a_file", path: args.path });
  }
  const checker = ctx.pageChecker === undefined ? await defaultPageChecker() : ctx.pageChecker;
  if (!checker) throw new AppError("not_found", CHECK_PAGE_UNAVAILABLE, { reason: "no_browser" });
  const page = { root: ctx.workspace, path: resolved.relative };
  const report = await checker.check(page, ctx.signal ? { signal: ctx.signal } : {});
  return { content: formatPageReport(resolved.relative, report, checker.name), data: report };
}

async function defaultPageChecker(): Promise<PageChecker | null> {
  // Inside Electron's main process the app's own Chromium does the work.
  if (process.versions.electron && (process as { type?: string }).type === "browser") {
    const { BrowserWindow } = await import("electron");
    return new ElectronPageChecker(() => new BrowserWindow(pageWindowOptions()));
  }
  const binary = await findChromium();
  return binary ? new ChromiumPageChecker(binary) : null;
}
