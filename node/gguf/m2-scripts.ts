/**
 * What each scripted test model says. `turn1` is generated for any prompt
 * without a tool response in it; `afterTool` once a `<response>` is in the
 * context. Texts are the raw completion after the template's `<think>\n`,
 * ending where the model emits `[e~[` (EOS, not part of the text).
 */

export type ScriptedScenario = "attempts" | "chat" | "agent" | "parallel" | "long" | "malformed" | "loop" | "compact" | "edit" | "artifact" | "cutoff" | "deep" | "api" | "api-loop" | "claude-code" | "codex";
export type TestScenario = ScriptedScenario | "bench";

export interface Script {
  /** Chunks the model emits as one token each (merged where a chunk repeats). */
  readonly turn1: readonly string[];
  readonly afterTool: readonly string[];
  /**
   * Where turn 1 ends, one of these follows instead of the end of output, with tied logits: attempts sampled with
   * different seeds take different branches. Each chunk list ends with EOS.
   */
  readonly branches?: readonly (readonly string[])[];
  /**
   * A verifier's answer: after a prompt whose thinking was closed (`</think>` in context, no tool response) the
   * next token is `yes` (mostly) or `no`; `no` dominates when the special token `marker` is in the context.
   */
  readonly verdict?: { readonly yes: string; readonly no: string; readonly marker: string };
}

/** Words with their trailing whitespace: token-sized chunks for streaming. */
const words = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [];

const TOOL_CALL_LIST_FILES =
  '<minimax:tool_call>\n<invoke name="list_files">\n<parameter name="path">.</parameter>\n</invoke>\n</minimax:tool_call>';

const chat: Script = {
  turn1: words(
    "The user wants a quick formatting demo. I will show a code block, a list and a table.\n</think>\n\n" +
      "Here is a short example in **TypeScript**:\n\n" +
      "```ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```\n\n" +
      "Key points:\n\n- It is a pure function.\n- It is fully typed.\n\n" +
      "| Input | Output |\n| --- | --- |\n| add(1, 2) | 3 |\n| add(2, 3) | 5 |\n",
  ),
  afterTool: words("I have the tool output now, so I can answer directly.\n</think>\n\nThe tool finished successfully."),
};

const agent: Script = {
  turn1: words(
    "The user wants to know which files are in the workspace. I should call list_files on the current directory.\n</think>\n\n" +
      TOOL_CALL_LIST_FILES,
  ),
  afterTool: words(
    "The tool returned the directory listing. I will summarize it for the user.\n</think>\n\n" +
      "The workspace contains the files shown in the listing above. Tell me which one to open next.",
  ),
};

const parallel: Script = {
  turn1: words(
    "I need the directory listing and the README. They are independent, so I will call both tools at once.\n</think>\n\n" +
      '<minimax:tool_call>\n<invoke name="list_files">\n<parameter name="path">.</parameter>\n</invoke>\n' +
      '<invoke name="read_file">\n<parameter name="path">README.md</parameter>\n</invoke>\n</minimax:tool_call>',
  ),
  afterTool: words(
    "Both tools returned. I can combine the listing and the README into one answer.\n</think>\n\n" +
      "I looked at the directory and read README.md. The project is described in the README, and its files are listed above.",
  ),
};

export const LONG_LINES = 2048;

const long: Script = {
  turn1: [
    ...words("The user asked for a long answer. I will write many numbered lines.\n</think>\n\n"),
    // one token per line: every line is unique, so no merging and ≥ 2048 tokens
    ...Array.from({ length: LONG_LINES }, (_, i) => `Line ${i + 1} of the long streaming answer.\n`),
  ],
  afterTool: words("The tool is done; the long answer was the point.\n</think>\n\nDone."),
};

const malformed: Script = {
  turn1: words(
    "I will list the files, but this call is cut short on purpose.\n</think>\n\n" +
      '<minimax:tool_call>\n<invoke name="list_files">\n<parameter name="path">.</parameter>\n',
  ),
  afterTool: words("The previous call was malformed, so I will answer without it.\n</think>\n\nI could not complete the tool call."),
};

/** An agent that never finishes: it calls a tool again after every result (max-steps and repeat tests). */
const loop: Script = {
  // Each tool block is one token: the two scripts must not share a token (a token has one successor).
  turn1: [...words("I will start by listing the workspace.\n</think>\n\n"), TOOL_CALL_LIST_FILES],
  afterTool: [...words("There is more to check, so I will list it again.\n</think>\n\n"), TOOL_CALL_LIST_FILES.replace(">.<", ">./<")],
};

/** An agent that writes a file (a call that needs approval in Ask mode), then reports. */
const edit: Script = {
  turn1: [
    ...words("The user wants a notes file. I will write notes.md with a greeting.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">notes.md</parameter>\n<parameter name="content">Hello from M2\n</parameter>\n</invoke>\n</minimax:tool_call>',
  ],
  afterTool: words("The write_file result is in. I will tell the user what happened.\n</think>\n\nI tried to create notes.md; the tool result above says whether it was written."),
};

/** An agent that writes an HTML page with a script and a remote image (the sandboxed preview's test). */
const artifact: Script = {
  turn1: [
    ...words("The user wants a small page. I will write page.html with a heading and a script.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">page.html</parameter>\n<parameter name="content"><!doctype html>' +
      '<title>Demo page</title><h1 id="title">Static title</h1><img id="beacon" alt="beacon" src="http://127.0.0.1:9/beacon.png">' +
      '<script>document.getElementById("title").textContent = "Script ran";</script>\n</parameter>\n</invoke>\n</minimax:tool_call>',
  ],
  afterTool: words("The page is written. I will tell the user where it is.\n</think>\n\nI wrote page.html; open its preview to see it."),
};

/**
 * An agent whose write_file call is cut off by the end of its output, after both values but before
 * </invoke>: the arguments would pass the tool's schema, yet the call must never run.
 */
const cutoff: Script = {
  turn1: [
    ...words("The user wants notes. I will write cut.md with the whole text.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">cut.md</parameter>\n<parameter name="content">The first half</parameter>\n',
  ],
  afterTool: words("My write_file call was cut off, so nothing was written. I will say so.\n</think>\n\nThe call was cut off before its content was complete; cut.md was not written."),
};

export const DEEP_NESTING = 10_000;

/** `total` copies of `char` as chunks of distinct lengths (2, 3, 4, …, the last one longer): each is its own token. */
function runsOf(char: string, total: number): string[] {
  const lengths: number[] = [];
  let left = total;
  for (let length = 2; left >= length; length++) {
    lengths.push(length);
    left -= length;
  }
  lengths[lengths.length - 1]! += left;
  return lengths.map((length) => char.repeat(length));
}

/** An agent whose todo call holds JSON nested DEEP_NESTING levels: a typed error result, and the run goes on. */
const deep: Script = {
  turn1: [
    ...words("I will record the plan as a nested list.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="todo">\n<parameter name="items">',
    ...runsOf("[", DEEP_NESTING),
    ...runsOf("]", DEEP_NESTING),
    "</parameter>\n</invoke>\n</minimax:tool_call>",
  ],
  afterTool: words("The todo call was refused as too deeply nested. I will answer without it.\n</think>\n\nThe plan could not be recorded: it was nested too deeply."),
};

/**
 * A long agent run for compaction (issue 17): a plan first (todo), then a file write after every result, forever,
 * so a run of many steps has a plan and a changed file to carry over each compaction.
 */
const compact: Script = {
  turn1: [
    ...words("First I record the plan for this long task.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="todo">\n<parameter name="items">[{"content":"Write progress.md","status":"in_progress"},{"content":"Keep going","status":"pending"}]</parameter>\n</invoke>\n</minimax:tool_call>',
  ],
  afterTool: [
    ...words("Next step of the plan: update progress.md again.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">progress.md</parameter>\n<parameter name="content">still going</parameter>\n</invoke>\n</minimax:tool_call>',
  ],
};

/** A client's tool loop through the local API server: thinking, a call with two arguments, then an answer from its result. */
const api: Script = {
  turn1: [
    ...words("The user asks about the weather in Paris. I should call get_weather with the city and the unit.\n</think>\n\n"),
    '<minimax:tool_call>\n<invoke name="get_weather">\n<parameter name="city">Paris</parameter>\n<parameter name="unit">celsius</parameter>\n</invoke>\n</minimax:tool_call>',
  ],
  afterTool: words("The weather tool answered, so I can report the forecast.\n</think>\n\nIt is sunny in Paris today."),
};

/**
 * A client's agent loop that never ends (bench:api, KV reuse through the API), in the shape the official template
 * renders an assistant turn back: `</think>\n\n`, the content, then `\n<minimax:tool_call>` (with no content, three
 * newlines). A model trained on that template emits the same, so step k+1's prompt extends step k's prompt and output.
 */
const apiLoop: Script = {
  // Each tool block is one token, distinct between the two turns (a token has one successor).
  turn1: [...words("I will start by listing the workspace.\n</think>\n\n\n"), TOOL_CALL_LIST_FILES],
  afterTool: [...words("There is more to check, so I will list it again.\n</think>\n\nListing it again.\n"), TOOL_CALL_LIST_FILES.replace(">.<", ">./<")],
};

/**
 * Claude Code's own Write tool, run by the real `claude -p` against the local API. Write takes an absolute path
 * only and a scripted model's text is fixed, so the path is too (the test clears the folder before and after).
 */
export const CLAUDE_CODE_FILE = "/tmp/m2d-claude-code-test/hello.txt";
export const CLAUDE_CODE_FILE_TEXT = "Hello from M2 through Claude Code";

const claudeCode: Script = {
  turn1: [
    ...words("The user wants a greeting file. I will call Write with the absolute path and the greeting.\n</think>\n\n"),
    `<minimax:tool_call>\n<invoke name="Write">\n<parameter name="file_path">${CLAUDE_CODE_FILE}</parameter>\n<parameter name="content">${CLAUDE_CODE_FILE_TEXT}</parameter>\n</invoke>\n</minimax:tool_call>`,
  ],
  afterTool: words("Write reported that the file was created, so I can confirm it.\n</think>\n\nDone: hello.txt now holds the greeting."),
};

/** Codex CLI's exec_command tool through `/v1/responses`: a shell command that writes a file in Codex's working folder. */
export const CODEX_FILE_TEXT = "Hello from M2 through Codex";

const codex: Script = {
  turn1: [
    ...words("The user wants a greeting file. I will run a shell command that writes it.\n</think>\n\n"),
    `<minimax:tool_call>\n<invoke name="exec_command">\n<parameter name="cmd">printf '${CODEX_FILE_TEXT}' > hello.txt</parameter>\n</invoke>\n</minimax:tool_call>`,
  ],
  afterTool: words("The command finished without errors, so the file is written.\n</think>\n\nDone: hello.txt now holds the greeting."),
};

/** The marker the attempts model's verifier dislikes (a special token of its own, so it is one token in any prompt). */
export const ATTEMPTS_MARKER = "<hardcoded-for-test>";
export const ATTEMPTS_FILE = "greet.txt";
const writeGreeting = (content: string) =>
  `<minimax:tool_call>\n<invoke name="write_file">\n<parameter name="path">${ATTEMPTS_FILE}</parameter>\n<parameter name="content">${content}</parameter>\n</invoke>\n</minimax:tool_call>`;
/** What each branch of the attempts model writes to greet.txt: correct, wrong, correct but marked. */
export const ATTEMPTS_CONTENTS = ["Hello, world\n", "Goodbye, world\n", `Hello, world\n${ATTEMPTS_MARKER}\n`] as const;

/** Best-of-N attempts (issue 17): three ways to write greet.txt, picked by the seed, and a YES/NO verifier. */
const attempts: Script = {
  turn1: words("The task is to make greet.txt greet the world. I will write the file.\n</think>\n\n"),
  branches: ATTEMPTS_CONTENTS.map((content) => [writeGreeting(content)]),
  afterTool: words("The file is written, so the task is done.\n</think>\n\nI wrote greet.txt."),
  verdict: { yes: "YES", no: "NO", marker: ATTEMPTS_MARKER },
};

export const SCRIPTS: Readonly<Record<ScriptedScenario, Script>> = { attempts, chat, agent, parallel, long, malformed, loop, compact, edit, artifact, cutoff, deep, api, "api-loop": apiLoop, "claude-code": claudeCode, codex };

/** The exact text a scripted model generates for a turn. */
export function expectedOutput(scenario: ScriptedScenario, turn: "turn1" | "afterTool"): string {
  return SCRIPTS[scenario][turn].join("");
}
