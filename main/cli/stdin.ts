import { AppError } from "../../app/contract";

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new AppError("bad_request", "Expected input on stdin (pipe a file into this command).");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `${what} is not valid JSON: ${(error as Error).message}`);
  }
}
