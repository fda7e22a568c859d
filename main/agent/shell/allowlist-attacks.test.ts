import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Decision, PolicySettings } from "../../../app/agent/policy";
import { BASH_BUILTINS, STAR_SAFE_BUILTINS } from "../../../app/agent/shell-names";
import { openDatabase, type Db } from "../../storage/database";
import { detectSandbox } from "../sandbox/detect";
import { createToolContext, type ToolContext } from "../tools/context";
import { runToolCall } from "../tools/registry";
import { WorkspaceSettingsStore } from "../workspace-settings";

/**
 * Ask mode with `X *` allowlist entries, attacked the way a hostile model would: commands whose
 * words look like data but make bash run code. Each goes through the real analyzer and policy
 * (runToolCall) and must ask; where bash is here, the same command is run in plain bash to prove
 * its payload really executes, so these tests fail if the analyzer ever lets one through.
 * Test names read "attack: <case> → <expected outcome>".
 */

const bash = spawnSync("bash", ["-c", "echo ok"], { encoding: "utf8" });
const HAVE_BASH = bash.status === 0 && bash.stdout === "ok\n";
/** Where bash is missing, the tests that run it are skipped, with this in their names. */
const NO_BASH = HAVE_BASH ? "" : " (skipped: bash is not installed here, so the payloads cannot be shown to run)";
const HAVE_SETSID = spawnSync("setsid", ["true"]).status === 0;

let root: string;
let ctx: ToolContext;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-allowlist-attacks-"));
  const ws = join(root, "ws");
  mkdirSync(ws);
  writeFileSync(join(ws, "README.md"), "# hello\n");
  const sandbox = await detectSandbox();
  // Without a sandbox, an opted-in unsandboxed workspace still goes through the same allowlist checks.
  ctx = await createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), sandbox, settings: { allowUnsandboxed: sandbox.kind === "none" } });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The model's call through the registry and policy; the user declines whatever is asked. */
async function attempt(command: string, allowedCommands: string[]): Promise<{ decision: Decision | null; ran: boolean }> {
  const policy: PolicySettings = { mode: "ask", allowedCommands };
  const run = await runToolCall(ctx, { name: "run_command", arguments: { command } }, policy, async () => false);
  return { decision: run.decision, ran: run.approved };
}

/** Runs `command` in plain bash in a fresh folder (with `files` in it); whether it created `pwned`. */
function pwnsPlainBash(command: string, files: Record<string, string> = {}): boolean {
  const dir = mkdtempSync(join(root, "bash-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  // setsid: a builtin that evaluates a payload to 0 (`kill 0`) hits only its own process group.
  const argv = HAVE_SETSID ? ["setsid", "bash", "-c", command] : ["bash", "-c", command];
  spawnSync(argv[0] as string, argv.slice(1), { cwd: dir, input: "x\n", timeout: 10_000, stdio: ["pipe", "ignore", "ignore"] });
  return existsSync(join(dir, "pwned"));
}

interface Vector {
  name: string;
  command: string;
  allow: string[];
  /** Part of the reason the policy must give. */
  reason: string;
  /** Shows the payload running in plain bash; null where bash 5.2 does not evaluate it but the builtin is refused anyway. */
  proof: { command?: string; files?: Record<string, string> } | null;
}

const CAT = ["cat *", "echo *", "printf *"];

const EXPANSIONS: Vector[] = [
  { name: "prompt expansion of `$_` (`${_@P}`)", command: "cat '$(touch pwned)'; cat ${_@P}", allow: CAT, reason: "`*` in `cat *` never covers an expansion: `${_@P}`", proof: {} },
  { name: "arithmetic in a substring offset (`${PATH:$_}`)", command: "cat 'a[$(touch pwned)]'; cat ${PATH:$_}", allow: CAT, reason: "`*` in `cat *` never covers an expansion: `${PATH:$_}`", proof: {} },
  { name: "the same through a safe builtin (`echo ${_@P}`)", command: "echo '$(touch pwned)'; echo ${_@P}", allow: CAT, reason: "`*` in `echo *` never covers an expansion: `${_@P}`", proof: {} },
  { name: "an expansion inside double quotes", command: "cat '$(touch pwned)'; cat \"x${_@P}\"", allow: CAT, reason: "never covers an expansion: `\"x${_@P}\"`", proof: {} },
  { name: "a plain `$_` handed on to another word", command: "cat '$(touch pwned)'; cat $_ ${_@P}", allow: CAT, reason: "never covers an expansion: `$_`", proof: {} },
  { name: "a read redirection from `${_@P}`", command: "cat '$(touch pwned)'; cat < ${_@P}", allow: CAT, reason: "`< ${_@P}` has an expansion", proof: {} },
  { name: "a here-string of `${_@P}`", command: "cat '$(touch pwned)'; cat <<< ${_@P}", allow: CAT, reason: "`<<< ${_@P}` has an expansion", proof: {} },
  { name: "arithmetic in a here-string's substring offset", command: "cat 'a[$(touch pwned)]'; cat <<< ${PATH:$_}", allow: CAT, reason: "`<<< ${PATH:$_}` has an expansion", proof: {} },
];

const builtin = (name: string) => `never covers the arguments of the bash builtin \`${name}\``;

const BUILTINS: Vector[] = [
  { name: "`printf -v` assigns to an array subscript", command: "printf -v 'a[$(touch pwned)]' x", allow: CAT, reason: builtin("printf"), proof: {} },
  { name: "`read` into an array subscript", command: "read 'a[$(touch pwned)]' <<< x", allow: ["read *"], reason: builtin("read"), proof: {} },
  { name: "`test -v` of a subscript", command: "test -v 'a[$(touch pwned)]'", allow: ["test *"], reason: builtin("test"), proof: {} },
  { name: "`[ -v … ]` of a subscript", command: "[ -v 'a[$(touch pwned)]' ]", allow: ["[ *"], reason: builtin("["), proof: {} },
  { name: "`unset` of an existing array's subscript", command: "unset 'GROUPS[$(touch pwned)]'", allow: ["unset *"], reason: builtin("unset"), proof: {} },
  { name: "`declare` of a subscript", command: "declare 'a[$(touch pwned)]=1'", allow: ["declare *"], reason: builtin("declare"), proof: {} },
  { name: "`typeset` of a subscript", command: "typeset 'a[$(touch pwned)]=1'", allow: ["typeset *"], reason: builtin("typeset"), proof: {} },
  { name: "`local` of a subscript (bash runs it inside a function)", command: "local 'a[$(touch pwned)]=1'", allow: ["local *"], reason: builtin("local"), proof: { command: "f() { local 'a[$(touch pwned)]=1'; }; f" } },
  { name: "`export` of a subscript", command: "export 'a[$(touch pwned)]=1'", allow: ["export *"], reason: builtin("export"), proof: null },
  { name: "`readonly` of a subscript", command: "readonly 'a[$(touch pwned)]=1'", allow: ["readonly *"], reason: builtin("readonly"), proof: null },
  { name: "`let` evaluates arithmetic", command: "let 'a[$(touch pwned)]'", allow: ["let *"], reason: builtin("let"), proof: {} },
  { name: "`eval` runs its words", command: "eval 'touch pwned'", allow: ["eval *"], reason: builtin("eval"), proof: {} },
  { name: "`source` runs a file", command: "source ./x.sh", allow: ["source *"], reason: builtin("source"), proof: { files: { "x.sh": "touch pwned\n" } } },
  { name: "`.` runs a file", command: ". ./x.sh", allow: [". *"], reason: builtin("."), proof: { files: { "x.sh": "touch pwned\n" } } },
  { name: "`mapfile -C` runs a callback", command: "mapfile -C 'touch pwned' -c 1 x <<< y", allow: ["mapfile *"], reason: builtin("mapfile"), proof: {} },
  { name: "`wait -p` assigns to a subscript", command: "sleep 0 & wait -n -p 'a[$(touch pwned)]'", allow: ["sleep *", "wait *"], reason: builtin("wait"), proof: {} },
  { name: "`getopts` names a variable", command: "getopts a 'a[$(touch pwned)]' -a", allow: ["getopts *"], reason: builtin("getopts"), proof: null },
  { name: "`trap` runs code at exit", command: "trap 'touch pwned' EXIT", allow: ["trap *"], reason: builtin("trap"), proof: {} },
  { name: "`enable -f` loads a builtin from a file", command: "enable -f ./evil.so evil", allow: ["enable *"], reason: builtin("enable"), proof: null },
  { name: "`compgen -C` runs a command", command: "compgen -C 'touch pwned' x", allow: ["compgen *"], reason: builtin("compgen"), proof: {} },
  { name: "`compgen -W` expands its word list", command: "compgen -W '$(touch pwned)' x", allow: ["compgen *"], reason: builtin("compgen"), proof: {} },
  { name: "`complete -C` registers a command", command: "complete -C 'touch pwned' x", allow: ["complete *"], reason: builtin("complete"), proof: null },
  { name: "`fc -e` runs an editor", command: "history -s x; fc -e 'touch pwned'", allow: ["history *", "fc *"], reason: builtin("fc"), proof: {} },
  { name: "`command` runs its words", command: "command touch pwned", allow: ["command *"], reason: builtin("command"), proof: {} },
  { name: "`builtin` runs its words", command: "builtin eval 'touch pwned'", allow: ["builtin *"], reason: builtin("builtin"), proof: {} },
  { name: "`exec` runs its words", command: "exec touch pwned", allow: ["exec *"], reason: builtin("exec"), proof: {} },
  { name: "`jobs -x` runs its words", command: "jobs -x touch pwned", allow: ["jobs *"], reason: builtin("jobs"), proof: {} },
];

const wrapper = (name: string) => `never covers the arguments of \`${name}\`, which runs its arguments as a command`;

const WRAPPERS: Vector[] = [
  { name: "`env` runs a command", command: "env touch pwned", allow: ["env *"], reason: wrapper("env"), proof: {} },
  { name: "`/usr/bin/env` by path", command: "/usr/bin/env touch pwned", allow: ["/usr/bin/env *"], reason: wrapper("env"), proof: {} },
  { name: "`timeout` runs a command", command: "timeout 5 touch pwned", allow: ["timeout *"], reason: wrapper("timeout"), proof: {} },
  { name: "`nice` runs a command", command: "nice touch pwned", allow: ["nice *"], reason: wrapper("nice"), proof: {} },
  { name: "`nohup` runs a command", command: "nohup touch pwned", allow: ["nohup *"], reason: wrapper("nohup"), proof: {} },
  { name: "`xargs` runs a command on its input", command: "echo pwned | xargs touch", allow: ["echo *", "xargs *"], reason: wrapper("xargs"), proof: {} },
  { name: "`stdbuf` runs a command", command: "stdbuf -o0 touch pwned", allow: ["stdbuf *"], reason: wrapper("stdbuf"), proof: {} },
  { name: "`setsid` runs a command", command: "setsid -w touch pwned", allow: ["setsid *"], reason: wrapper("setsid"), proof: {} },
  { name: "`flock` runs a command", command: "flock ./lock touch pwned", allow: ["flock *"], reason: wrapper("flock"), proof: {} },
  { name: "`setarch` runs a command", command: "setarch -R touch pwned", allow: ["setarch *"], reason: wrapper("setarch"), proof: {} },
  { name: "a shell reading a script from its input", command: "echo 'touch pwned' | sh", allow: ["echo *", "sh *"], reason: "never covers the arguments of the shell `sh`", proof: {} },
  { name: "a shell running a script file", command: "bash ./x.sh", allow: ["bash *"], reason: "never covers the arguments of the shell `bash`", proof: { files: { "x.sh": "touch pwned\n" } } },
];

describe("allowlist `*` vs bash expansion, builtins and wrappers", () => {
  for (const [group, vectors] of [["expansion", EXPANSIONS], ["builtin", BUILTINS], ["wrapper", WRAPPERS]] as const) {
    for (const v of vectors) {
      test(`attack: ${group}: ${v.name} vs [${v.allow.join(", ")}] → asks, says why, and runs nothing`, async () => {
        const { decision, ran } = await attempt(v.command, v.allow);
        expect(decision?.kind).toBe("ask");
        expect(decision?.reason).toContain(v.reason);
        expect(ran).toBe(false);
        expect(existsSync(join(ctx.workspace, "pwned"))).toBe(false);
      });
      if (v.proof) {
        test.skipIf(!HAVE_BASH)(`attack: ${group}: ${v.name} → its payload really runs in plain bash${NO_BASH}`, () => {
          expect(pwnsPlainBash(v.proof?.command ?? v.command, v.proof?.files)).toBe(true);
        });
      }
    }
  }

  test("legitimate use still runs: static and glob words under `*`, safe builtins, exact entries for builtins and wrappers", async () => {
    const allow = ["cat *", "echo *", "cd *", "printf '%s\\n' hi", "timeout 5 cat README.md", "[ -f README.md ]"];
    for (const command of ["cat README.md", "cat *.md", "cat 'a[$(id)]' 2>/dev/null || true", "echo hello {a,b} ~ 'x y'", "cd . && cat README.md", "printf '%s\\n' hi", "timeout 5 cat README.md", "[ -f README.md ]"]) {
      const { decision } = await attempt(command, [...allow, "true"]);
      expect(decision?.kind, `${command}: ${decision?.reason}`).toBe("allow");
    }
  });
});

describe(`the safe builtins never evaluate a static word (proven against this bash)${NO_BASH}`, () => {
  // Every builtin, every option in OPTIONS, payloads in every position: which ones create their marker.
  const PAYLOADS = [["a[$(touch MARK)]"], ["$(touch MARK)"], ["touch MARK"], ["touch", "MARK"], ["a[$(touch MARK)]=1"]];
  const OPTIONS = ["", "-v", "-p", "-n", "-a", "-A", "-C", "-F", "-W", "-e", "-f", "-x", "-c", "-o", "-u", "-t", "-i", "-d", "-s", "-l"];
  const SHAPES = [(p: string[]) => p, (p: string[]) => [...p, "x"], (p: string[]) => ["x", ...p], (p: string[]) => ["x", ...p, "x"], (p: string[]) => [...p, "-n"]];
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  let builtins: string[] = [];
  let evaluating: Map<string, string[]>;

  function script(name: string): { text: string; calls: string[] } {
    const calls: string[] = [];
    for (const payload of PAYLOADS) {
      for (const option of OPTIONS) {
        for (const shape of SHAPES) {
          const args = [...(option ? [option] : []), ...shape(payload)];
          calls.push(`${name} ${args.map((a) => quote(a.replace("MARK", `M_${calls.length}`))).join(" ")}${name === "[" ? " ]" : ""}`);
        }
      }
    }
    // Each call in its own subshell, inside a function (for `local`), with an array to subscript, a
    // history line for `fc` and, for `wait`, a job to wait for.
    const job = name === "wait" ? "true & " : "";
    const lines = calls.map((call) => `( ${job}g() { ${call}; }; g ) <<< x >/dev/null 2>&1`);
    return { text: `a=(1); declare -A A=([k]=1); history -s x\n${lines.join("\n")}\n`, calls };
  }

  async function probe(name: string): Promise<string[]> {
    const dir = mkdtempSync(join(root, `probe-`));
    const { text, calls } = script(name);
    writeFileSync(join(dir, "probe.sh"), text);
    const argv = HAVE_SETSID ? ["setsid", "bash", "probe.sh"] : ["bash", "probe.sh"];
    await new Promise<void>((resolve) => {
      const child = spawn(argv[0] as string, argv.slice(1), { cwd: dir, stdio: "ignore" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("close", () => (clearTimeout(timer), resolve()));
    });
    return readdirSync(dir).filter((f) => /^M_\d+$/.test(f)).map((f) => calls[Number(f.slice(2))] as string);
  }

  beforeAll(async () => {
    if (!HAVE_BASH) return;
    builtins = spawnSync("bash", ["-c", "compgen -b"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    evaluating = new Map();
    const queue = [...builtins];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) evaluating.set(name, await probe(name));
    };
    await Promise.all([worker(), worker()]);
  }, 240_000);

  test.skipIf(!HAVE_BASH)("every builtin of this bash is known, so none is mistaken for a program whose words are data", () => {
    expect(builtins.length).toBeGreaterThan(40);
    expect(builtins.filter((name) => !BASH_BUILTINS.has(name))).toEqual([]);
  });

  test.skipIf(!HAVE_BASH)("attack: every builtin with a marker payload in every argument position → none in the safe set runs it", () => {
    for (const name of STAR_SAFE_BUILTINS) {
      expect(builtins).toContain(name);
      expect(evaluating.get(name), name).toEqual([]);
    }
  });

  test.skipIf(!HAVE_BASH)("the probe is live: it catches the builtins known to evaluate their words", () => {
    const caught = [...evaluating].filter(([, calls]) => calls.length > 0).map(([name]) => name);
    for (const name of ["printf", "read", "test", "[", "unset", "declare", "typeset", "local", "let", "eval", "command", "exec", "compgen", "jobs", "fc", "wait"]) {
      expect(caught, name).toContain(name);
    }
    expect(caught.filter((name) => STAR_SAFE_BUILTINS.has(name))).toEqual([]);
  });
});

describe("“Always allow” saves exactly what was approved", () => {
  let db: Db;
  let store: WorkspaceSettingsStore;
  beforeAll(() => {
    db = openDatabase({ path: join(root, "settings.sqlite") });
    store = new WorkspaceSettingsStore(db);
  });
  afterAll(() => db.close());

  /** Asks as the UI would: the decision's alwaysAllow is what the card shows and what approving saves. */
  async function alwaysAllow(command: string): Promise<string[]> {
    const { decision } = await attempt(command, store.get(ctx.workspace).allowedCommands);
    expect(decision?.kind).toBe("ask");
    const always = decision?.alwaysAllow;
    if (!always?.ok) throw new Error(`not always-allowable: ${always?.reason}`);
    store.allowCommands(ctx.workspace, always.entries);
    return always.entries;
  }
  const kindOf = async (command: string) => (await attempt(command, store.get(ctx.workspace).allowedCommands)).decision?.kind;

  test("attack: approve `rm -rf *` once, then `rm -rf important` → still asks; the same `rm -rf *` runs", async () => {
    expect(await alwaysAllow("rm -rf *")).toEqual(["rm -rf glob:*"]);
    expect(await kindOf("rm -rf important")).toBe("ask");
    expect(await kindOf("rm -rf ~")).toBe("ask");
    expect(await kindOf("rm -rf '*'")).toBe("ask"); // a literal star is another word than the glob
    expect(await kindOf("rm -rf * /")).toBe("ask");
    expect(await kindOf("rm -rf *")).toBe("allow");
  });

  test("what is saved reads back to the same words: quotes, blanks, globs, chains", async () => {
    expect(await alwaysAllow("git commit -m 'it'\\''s done' && ls src/*.ts | tee 'out file.txt'")).toEqual([
      "git commit -m 'it'\\''s done'",
      "ls glob:src/*.ts",
      "tee 'out file.txt'",
    ]);
    expect(await kindOf("git commit -m \"it's done\"")).toBe("allow");
    expect(await kindOf("git commit -m it\\'s done")).toBe("ask");
    expect(await kindOf("ls src/*.ts")).toBe("allow");
    expect(await kindOf("ls src/*.js")).toBe("ask");
    expect(await alwaysAllow("echo '*' glob:x")).toEqual(["echo '*' 'glob:x'"]);
  });

  test("attack: always-allow a command with an expansion, an assignment or a glob handed to a builtin → refused, with the reason", async () => {
    for (const [command, reason] of [
      ["cat ${_@P}", "has a word computed at run time (`${_@P}`)"],
      ["FOO=1 npm test", "sets environment variables"],
      ["printf -v x *", "would hand file names to the bash builtin `printf`"],
      ["for f in *; do rm $f; done", "which the allowlist cannot vouch for"],
    ] as const) {
      const { decision } = await attempt(command, []);
      expect(decision?.alwaysAllow, command).toEqual({ ok: false, reason: expect.stringContaining(reason) });
    }
  });
});
