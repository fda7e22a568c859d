import { describe, expect, test } from "vitest";
import type { CommandAnalysis } from "../../../app/agent/command";
import { analyzeCommand } from "./analyze";
import { parseBash, Unparseable } from "./sh-syntax";

/** argv values of every simple command, `?` for a word that expands at run time. */
async function parts(command: string): Promise<string[]> {
  const analysis = await analyzeCommand(command);
  if (!analysis.ok) throw new Error(`${analysis.kind}: ${analysis.reason}`);
  return analysis.commands.map((c) => [...c.assignments.map((a) => a.source), ...c.argv.map((w) => w.value ?? "?")].join(" "));
}

async function failure(command: string): Promise<Extract<CommandAnalysis, { ok: false }>> {
  const analysis = await analyzeCommand(command);
  if (analysis.ok) throw new Error(`expected ${command} to fail, got ${JSON.stringify(analysis.commands.map((c) => c.source))}`);
  return analysis;
}

describe("splitting into simple commands", () => {
  test.each([
    ["npm test && rm -rf ~", ["npm test", "rm -rf ?"]],
    ["a || b; c & d", ["a", "b", "c", "d"]],
    ["a | b |& c", ["a", "b", "c"]],
    ["a\nb\n\n# comment\nc # trailing", ["a", "b", "c"]],
    ["(cd sub; make) && { echo ok; }", ["cd sub", "make", "echo ok"]],
    ["npm test $(rm -rf /)", ["npm test ?", "rm -rf /"]],
    ["echo \"x $(id -u) `whoami`\"", ["echo ?", "id -u", "whoami"]],
    ["echo `echo \\`nested\\``", ["echo ?", "echo ?", "nested"]],
    ["bash -c 'npm test; rm -rf ~'", ["npm test", "rm -rf ?"]],
    ["sh -ec \"bash -c 'curl x | sh'\"", ["curl x", "sh"]],
    ["FOO=1 BAR=$(pwd) npm test", ["FOO=1 BAR=$(pwd) npm test", "pwd"]],
    ["! grep -q x file", ["grep -q x file"]],
    ["echo 'a b' \"c\\\"d\" e\\ f 'it'\\''s'", ["echo a b c\"d e f it's"]],
    ["echo $HOME ~ *.ts {a,b} ${x}", ["echo ? ? ? ? ?"]],
  ])("%s", async (command, expected) => {
    expect(await parts(command)).toEqual(expected);
  });

  test("redirections are kept per command, with their kind", async () => {
    const analysis = await analyzeCommand("npm test > out.log 2>&1 < in.txt >> ~/.bashrc &> all 3<> rw");
    expect(analysis.ok && analysis.commands[0]?.redirects.map((r) => [r.op, r.fd, r.target.value, r.kind])).toEqual([
      [">", null, "out.log", "write"],
      [">&", "2", "1", "fd"],
      ["<", null, "in.txt", "read"],
      [">>", null, null, "write"],
      ["&>", null, "all", "write"],
      ["<>", "3", "rw", "write"],
    ]);
  });

  test("a word that expands is marked apart from static, glob, brace, tilde and $'…' words", async () => {
    const analysis = await analyzeCommand("cat a '$(x)' \"$y\" ${_@P} ${PATH:$_} $1 `id` \"$(id)\" $\"t\" *.ts {a,b} ~ $'\\x41' < $f <<< ${z}");
    if (!analysis.ok) throw new Error(analysis.reason);
    const [cat] = analysis.commands;
    expect(cat?.argv.map((w) => [w.source, w.value, w.expands])).toEqual([
      ["cat", "cat", false],
      ["a", "a", false],
      ["'$(x)'", "$(x)", false],
      ['"$y"', null, true],
      ["${_@P}", null, true],
      ["${PATH:$_}", null, true],
      ["$1", null, true],
      ["`id`", null, true],
      ['"$(id)"', null, true],
      ['$"t"', null, true],
      ["*.ts", null, false],
      ["{a,b}", null, false],
      ["~", null, false],
      ["$'\\x41'", null, false],
    ]);
    expect(cat?.redirects.map((r) => [r.op, r.target.expands])).toEqual([["<", true], ["<<<", true]]);
  });

  test("a redirection on a subshell becomes its own part; nesting and backgrounding are recorded", async () => {
    const analysis = await analyzeCommand("(a; $(b)) > f & c");
    expect(analysis.ok).toBe(true);
    if (!analysis.ok) return;
    expect(analysis.commands.map((c) => [c.source, c.nesting, c.background])).toEqual([
      ["a", ["( )"], false],
      ["$(b)", ["( )"], false],
      ["b", ["( )", "$( )"], false],
      ["(a; $(b)) > f", [], true],
      ["c", [], false],
    ]);
  });

  test("a shell's -c script computed at run time cannot be checked", async () => {
    expect((await failure('bash -c "$CMD"')).reason).toContain("computed at run time");
    expect(await parts("sh -o pipefail -c 'a; b' zero one")).toEqual(["a", "b"]);
    expect(await parts("bash --norc -e -c -- 'rm -rf ~'")).toEqual(["rm -rf ?"]);
    expect((await failure("bash -c")).reason).toContain("without a script");
    expect(await parts("bash script.sh -c x")).toEqual(["bash script.sh -c x"]);
  });
});

describe("what the checker refuses to vouch for", () => {
  test.each([
    ["for f in *; do rm $f; done", "keyword `for`"],
    ["if true; then rm -rf ~; fi", "keyword `if`"],
    ["while :; do :; done", "keyword `while`"],
    ["case x in x) rm -rf ~;; esac", "keyword `case`"],
    ["f() { rm -rf ~; }; f", "function definition"],
    ["function f { rm -rf ~; }", "keyword `function`"],
    ["cat <<EOF\n$(rm -rf ~)\nEOF", "here-document"],
    ["echo $((1 + $(rm -rf ~)))", "arithmetic"],
    ["diff <(ls) <(rm -rf ~)", "process substitution"],
    ["echo ${x:-$(rm -rf ~)}", "inside `${ }`"],
    ["[[ -f x ]] && rm y", "keyword `[[`"],
    ["a=(1 $(rm -rf ~))", "array"],
    ["exec {fd}>file", "named file descriptor"],
    ["time rm -rf ~", "keyword `time`"],
  ])("%s → unsupported (%s)", async (command, reason) => {
    const result = await failure(command);
    expect(result.kind).toBe("unsupported");
    expect(result.reason).toContain(reason);
  });

  test.each(["echo \"unclosed", "a && ", "(b", "a | | b", "echo )", "a;;"])("%s → unparseable", async (command) => {
    expect((await failure(command)).kind).toBe("unparseable");
  });

  test("NUL bytes, empty input and absurd lengths fail closed", async () => {
    expect((await failure("a\0b")).kind).toBe("unparseable");
    expect((await failure("   ")).reason).toContain("no command");
    expect((await failure(`echo ${"x".repeat(20_000)}`)).reason).toContain("longer than");
    expect((await failure(`${"bash -c ".repeat(1)}'${"$(".repeat(10)}x${")".repeat(10)}'`)).reason).toContain("nesting too deep");
  });
});

describe("the reference parser", () => {
  test("reports statements, backgrounding and redirections with byte offsets, reusing one WASM instance", () => {
    for (let i = 0; i < 200; i++) parseBash(`echo ${i} &`);
    const file = parseBash("é; b > f &");
    expect(file.Stmts.map((s) => [s.Pos.Offset, s.Background, s.Redirs.map((r) => [r.Op, r.OpPos.Offset])])).toEqual([
      [0, false, []],
      [4, true, [[">", 6]]],
    ]);
    expect(() => parseBash("a && (b")).toThrow(Unparseable);
  });

  test("non-ASCII commands still line up with the reference offsets", async () => {
    expect(await parts("echo 'héllo wörld' && ls ünïcode")).toEqual(["echo héllo wörld", "ls ünïcode"]);
  });
});
