import { AppError } from "../contract/errors";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth";
import { isMapping, type Mapping } from "./template-values";

/**
 * The template iterates `arguments.items()`, so it needs an object. OpenAI clients
 * send a JSON string; we parse it here (as a Python server would before templating).
 * An empty or blank string means "no arguments". Anything that is not a JSON object
 * is a client error. JS parsing caveat: 1.0 becomes 1 and integers past 2^53 lose precision.
 */
export function toolCallArguments(raw: unknown, where: Record<string, unknown>): Mapping {
  return withinDepth(parseArguments(raw, where), where);
}

/** The prompt writes arguments recursively: past MAX_JSON_DEPTH (under the arguments object) they are refused. */
function withinDepth(args: Mapping, where: Record<string, unknown>): Mapping {
  if (!exceedsJsonDepth(args, MAX_JSON_DEPTH + 1)) return args;
  throw new AppError("bad_request", `Tool call arguments nest deeper than ${MAX_JSON_DEPTH} levels`, { ...where, reason: "too_deep" });
}

function parseArguments(raw: unknown, where: Record<string, unknown>): Mapping {
  if (isMapping(raw)) return raw;
  if (typeof raw !== "string") {
    throw new AppError("bad_request", "Tool call arguments must be an object or a JSON string of one", where);
  }
  if (raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new AppError("bad_request", "Tool call arguments are not valid JSON", {
      ...where,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  if (!isMapping(parsed)) {
    throw new AppError("bad_request", "Tool call arguments must be a JSON object", where);
  }
  return parsed;
}
