/**
 * A classic-BPF seccomp program for `bwrap --seccomp FD`. The read-only bind of `/` does not stop
 * connect() on a unix socket that sits at a visible path (connect ignores the mount's ro flag, and
 * host root passes the permission check), so creating AF_UNIX sockets is refused; socketpair()
 * still works (Node's and Python's child IPC use it). TIOCSTI/TIOCLINUX are refused as well, on
 * top of --new-session. Syscalls of another ABI (i386, x32) are refused: they would reach the same
 * calls under other numbers (socketcall).
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

const AF_UNIX = 1;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const X32_BIT = 0x40000000;

// Offsets into struct seccomp_data (little-endian: the low 32 bits of args[n] come first).
const NR = 0;
const ARCH = 4;
const ARG0 = 16;
const ARG1 = 24;

interface ArchInfo {
  audit: number;
  socket: number;
  ioctl: number;
}

const ARCHES: Partial<Record<NodeJS.Architecture, ArchInfo>> = {
  x64: { audit: 0xc000003e, socket: 41, ioctl: 16 },
  arm64: { audit: 0xc00000b7, socket: 198, ioctl: 29 },
};

type Insn = { code: number; jt?: string; jf?: string; k: number; label?: string };

function assemble(program: Insn[]): Buffer {
  const labels = new Map<string, number>();
  program.forEach((insn, i) => insn.label && labels.set(insn.label, i));
  const out = Buffer.alloc(program.length * 8);
  program.forEach((insn, i) => {
    const jump = (label: string | undefined) => {
      if (label === undefined) return 0;
      const target = labels.get(label);
      if (target === undefined || target <= i || target - i - 1 > 255) throw new Error(`bad BPF jump to ${label}`);
      return target - i - 1;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(jump(insn.jt), i * 8 + 2);
    out.writeUInt8(jump(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}

/** The filter for this machine's architecture, or null where we do not know its syscall numbers. */
export function seccompFilter(arch: NodeJS.Architecture = process.arch): Buffer | null {
  const info = ARCHES[arch];
  if (!info) return null;
  return assemble([
    { code: BPF_LD_W_ABS, k: ARCH },
    { code: BPF_JEQ_K, k: info.audit, jt: "native", jf: "foreign" },
    { label: "native", code: BPF_LD_W_ABS, k: NR },
    { code: BPF_JGE_K, k: X32_BIT, jt: "foreign", jf: "socket?" },
    { label: "socket?", code: BPF_JEQ_K, k: info.socket, jt: "socket", jf: "ioctl?" },
    { label: "ioctl?", code: BPF_JEQ_K, k: info.ioctl, jt: "ioctl", jf: "allow" },
    { label: "socket", code: BPF_LD_W_ABS, k: ARG0 },
    { code: BPF_JEQ_K, k: AF_UNIX, jt: "eperm", jf: "allow" },
    { label: "ioctl", code: BPF_LD_W_ABS, k: ARG1 },
    { code: BPF_JEQ_K, k: TIOCSTI, jt: "eperm", jf: "tioclinux?" },
    { label: "tioclinux?", code: BPF_JEQ_K, k: TIOCLINUX, jt: "eperm", jf: "allow" },
    { label: "allow", code: BPF_RET_K, k: RET_ALLOW },
    { label: "eperm", code: BPF_RET_K, k: RET_ERRNO | EPERM },
    { label: "foreign", code: BPF_RET_K, k: RET_ERRNO | ENOSYS },
  ]);
}
