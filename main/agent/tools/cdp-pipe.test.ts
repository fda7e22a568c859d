import { PassThrough } from "node:stream";
import { expect, test } from "vitest";
import { Cdp, MAX_MESSAGE_BYTES } from "./cdp-pipe";

function pipe() {
  const input = new PassThrough();
  const output = new PassThrough();
  const sent: string[] = [];
  input.on("data", (chunk: Buffer) => sent.push(chunk.toString("utf8")));
  return { cdp: new Cdp(input, output), output, sent };
}

test("replies split across chunks reach their command; events of the page session reach the handler", async () => {
  const { cdp, output } = pipe();
  const reply = cdp.send("Browser.getVersion", {}, false);
  output.write('{"id":1,"res');
  output.write('ult":{"product":"x"}}\0');
  expect(await reply).toEqual({ product: "x" });
});

test("attack: the page logs a string bigger than any real message → the connection closes, the app's heap does not grow with it", async () => {
  const { cdp, output } = pipe();
  const reply = cdp.send("Runtime.evaluate", {}, false);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  for (let sent = 0; sent <= MAX_MESSAGE_BYTES; sent += chunk.length) output.write(chunk);
  await expect(reply).rejects.toThrow(/closed/);
  await expect(cdp.send("Runtime.evaluate", {}, false)).rejects.toThrow(/closed/);
});

test("attack: bytes that are not JSON on the pipe → the connection closes instead of throwing in the app", async () => {
  const { cdp, output } = pipe();
  const reply = cdp.send("Browser.getVersion", {}, false);
  output.write("not json\0");
  await expect(reply).rejects.toThrow(/closed/);
});
