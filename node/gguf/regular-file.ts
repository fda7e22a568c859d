import { closeSync, constants, fstatSync, openSync, statSync, type Stats } from "node:fs";
import { AppError } from "../../app/contract";
import { modelInvalid } from "./model-invalid";

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Opens a model file for reading only once it is known to be a regular file.
 * `open` on a FIFO blocks until a writer appears, which would wedge the engine,
 * so stat comes first, and the open is non-blocking in case the path is swapped
 * in between (fstat then catches the swap). Returns the descriptor and its size.
 */
export function openRegularFile(path: string): { fd: number; size: number } {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new AppError("not_found", `model file not found: ${path}`, { path });
    if (code === "ELOOP") throw modelInvalid(path, "not_a_file", `${path} is a symlink loop`);
    throw new AppError("internal", `cannot read ${path}: ${(error as Error).message}`, { path });
  }
  if (!st.isFile()) throw modelInvalid(path, "not_a_file", `${path} is ${kindOf(st)}, not a model file`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new AppError("internal", `cannot open ${path}: ${(error as Error).message}`, { path });
  }
  const opened = fstatSync(fd);
  if (!opened.isFile()) {
    closeSync(fd);
    throw modelInvalid(path, "not_a_file", `${path} is ${kindOf(opened)}, not a model file`);
  }
  return { fd, size: opened.size };
}
