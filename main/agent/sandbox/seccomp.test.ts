import { expect, test } from "vitest";
import { seccompFilter } from "./seccomp";

function decode(program: Buffer) {
  const out: { code: number; jt: number; jf: number; k: number }[] = [];
  for (let i = 0; i < program.length; i += 8) {
    out.push({ code: program.readUInt16LE(i), jt: program.readUInt8(i + 2), jf: program.readUInt8(i + 3), k: program.readUInt32LE(i + 4) });
  }
  return out;
}

/** A tiny interpreter for the subset of classic BPF the filter uses. */
function verdict(program: Buffer, data: { arch: number; nr: number; args: number[] }): number {
  const insns = decode(program);
  let acc = 0;
  for (let pc = 0; pc < insns.length; pc++) {
    const insn = insns[pc] as (typeof insns)[number];
    if (insn.code === 0x20) {
      acc = insn.k === 0 ? data.nr : insn.k === 4 ? data.arch : (data.args[(insn.k - 16) / 8] ?? 0);
    } else if (insn.code === 0x15) pc += acc === insn.k ? insn.jt : insn.jf;
    else if (insn.code === 0x35) pc += acc >= insn.k ? insn.jt : insn.jf;
    else if (insn.code === 0x45) pc += (acc & insn.k) !== 0 ? insn.jt : insn.jf;
    else if (insn.code === 0x06) return insn.k;
    else throw new Error(`unexpected opcode ${insn.code}`);
  }
  throw new Error("fell off the end");
}

const X64 = 0xc000003e;
const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;

test("x86-64: only inet, inet6 and netlink sockets; TIOCSTI refused; foreign ABIs refused", () => {
  const filter = seccompFilter("x64");
  expect(filter).not.toBeNull();
  if (!filter) return;
  expect(verdict(filter, { arch: X64, nr: 41, args: [1, 1, 0] })).toBe(EPERM); // socket(AF_UNIX, SOCK_STREAM)
  expect(verdict(filter, { arch: X64, nr: 41, args: [2, 1, 0] })).toBe(ALLOW); // socket(AF_INET)
  expect(verdict(filter, { arch: X64, nr: 41, args: [10, 2, 0] })).toBe(ALLOW); // socket(AF_INET6)
  expect(verdict(filter, { arch: X64, nr: 41, args: [16, 3, 0] })).toBe(ALLOW); // socket(AF_NETLINK): getaddrinfo, ip
  for (const family of [0, 3, 4, 5, 17, 38, 40, 44, 0x100000001]) {
    // AX25, IPX, AppleTalk, packet, alg, vsock, xdp, and AF_UNIX hidden in the high bits the kernel truncates
    expect(verdict(filter, { arch: X64, nr: 41, args: [family % 2 ** 32, 1, 0] }), `family ${family}`).toBe(EPERM);
  }
  expect(verdict(filter, { arch: X64, nr: 53, args: [1, 1, 0] })).toBe(ALLOW); // socketpair(AF_UNIX)
  expect(verdict(filter, { arch: X64, nr: 16, args: [0, 0x5412] })).toBe(EPERM); // ioctl TIOCSTI
  expect(verdict(filter, { arch: X64, nr: 16, args: [0, 0x541c] })).toBe(EPERM); // ioctl TIOCLINUX
  expect(verdict(filter, { arch: X64, nr: 16, args: [0, 0x5401] })).toBe(ALLOW); // ioctl TCGETS
  expect(verdict(filter, { arch: X64, nr: 0x40000029, args: [1] })).toBe(ENOSYS); // x32 socket
  expect(verdict(filter, { arch: 0x40000003, nr: 102, args: [1] })).toBe(ENOSYS); // i386 socketcall
});

test("x86-64: io_uring and clone3 look absent, fd and kernel routes are refused, new user namespaces are refused", () => {
  const filter = seccompFilter("x64");
  if (!filter) throw new Error("expected an x86-64 filter");
  for (const nr of [425, 426, 427, 435]) expect(verdict(filter, { arch: X64, nr, args: [] }), `nr ${nr}`).toBe(ENOSYS);
  // bpf, perf_event_open, userfaultfd, open_by_handle_at, keyctl, finit_module, kexec_load, mount, fsopen
  for (const nr of [321, 298, 323, 304, 250, 313, 246, 165, 430]) expect(verdict(filter, { arch: X64, nr, args: [] }), `nr ${nr}`).toBe(EPERM);
  expect(verdict(filter, { arch: X64, nr: 56, args: [0x10000000 | 0x11] })).toBe(EPERM); // clone(CLONE_NEWUSER|SIGCHLD)
  expect(verdict(filter, { arch: X64, nr: 56, args: [0x01200011] })).toBe(ALLOW); // fork()'s clone
  expect(verdict(filter, { arch: X64, nr: 272, args: [0x10000000] })).toBe(EPERM); // unshare(CLONE_NEWUSER)
  expect(verdict(filter, { arch: X64, nr: 272, args: [0x400] })).toBe(ALLOW); // unshare(CLONE_FILES)
  for (const nr of [0, 1, 2, 9, 57, 59, 231, 257]) expect(verdict(filter, { arch: X64, nr, args: [] }), `nr ${nr}`).toBe(ALLOW);
});

test("arm64 uses its own numbers; unknown architectures get no filter rather than a wrong one", () => {
  const filter = seccompFilter("arm64");
  if (!filter) throw new Error("expected an arm64 filter");
  expect(verdict(filter, { arch: 0xc00000b7, nr: 198, args: [1] })).toBe(EPERM);
  expect(verdict(filter, { arch: 0xc00000b7, nr: 41, args: [1] })).toBe(EPERM); // pivot_root
  expect(verdict(filter, { arch: 0xc00000b7, nr: 63, args: [1] })).toBe(ALLOW); // read
  expect(verdict(filter, { arch: 0xc00000b7, nr: 425, args: [] })).toBe(ENOSYS); // io_uring_setup
  expect(seccompFilter("riscv64")).toBeNull();
});
