import { AppError } from "../../app/contract";
import { APP_VERSION } from "../version";
import { commandHelp, wantsHelp } from "./command-spec";
import { findCommand, usage } from "./commands";

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    // `m2d help run` is `m2d run --help`.
    const topic = name === "help" && rest[0] ? findCommand(rest[0]) : undefined;
    if (name === "help" && rest[0] && !topic) throw new AppError("bad_request", `Unknown command "${rest[0]}".\n\n${usage()}`);
    console.log(topic ? commandHelp(topic.spec) : usage());
    return;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    console.log(`m2d ${APP_VERSION}`);
    return;
  }
  const command = findCommand(name);
  if (!command) throw new AppError("bad_request", `Unknown command "${name}".\n\n${usage()}`);
  if (wantsHelp(rest)) {
    console.log(commandHelp(command.spec));
    return;
  }
  await command.run(rest);
}

// `m2d run … | head -1`: once the reader has gone there is no one left to write for. Stop quietly, as a SIGPIPE
// would stop a C tool (Node ignores that signal): an unhandled EPIPE ended the command with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // node:util parseArgs reports bad flags as ERR_PARSE_ARGS_*: a usage error, not a crash.
  const isUsage = typeof (error as { code?: unknown })?.code === "string" && (error as { code: string }).code.startsWith("ERR_PARSE_ARGS");
  const appError = isUsage ? new AppError("bad_request", `${(error as Error).message}\nSee m2d ${process.argv[2] ?? ""} --help.`) : AppError.from(error);
  console.error(`m2d: ${appError.message}`);
  process.exitCode = appError.code === "bad_request" ? 2 : 1;
});
