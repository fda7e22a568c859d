/**
 * A classic-BPF seccomp program for `bwrap --seccomp FD`. What it closes, by class:
 *
 * - Sockets to the host. The read-only bind of `/` does not stop connect() on a unix socket at a
 *   visible path (connect ignores the mount's ro flag, and host root passes the permission check),
 *   and abstract unix sockets and vsock ignore mounts altogether. So socket() is allowed only for
 *   the families a network namespace confines (inet, inet6, netlink); socketpair() still works (Node's
 *   and Python's child IPC use it).
 * - Other routes to a file descriptor the filter would not see: io_uring (IORING_OP_SOCKET creates
 *   sockets without socket(2), and its other ops bypass every argument check here), file handles
 *   (open_by_handle_at), bpf, perf events, userfaultfd, the kernel keyrings.
 * - Kernel surface nobody's build needs: modules, kexec, mounts and the new mount API, swap, reboot,
 *   acct, quotactl, syslog, and new user namespaces (CLONE_NEWUSER in unshare or clone); clone3 answers
 *   ENOSYS because its flags sit in memory a filter cannot read, and libc then falls back to clone.
 * - TIOCSTI/TIOCLINUX keystroke injection, on top of --new-session.
 * - Syscalls of another ABI (i386, x32): they would reach the same calls under other numbers.
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const CLONE_NEWUSER = 0x10000000;
const X32_BIT = 0x40000000;

// Offsets into struct seccomp_data (little-endian: the low 32 bits of args[n] come first).
const NR = 0;
const ARCH = 4;
const ARG0 = 16;
const ARG1 = 24;

/** Syscalls refused outright, by name; numbers per architecture below. */
export const DENIED_SYSCALLS = [
  "bpf", "perf_event_open", "userfaultfd", "open_by_handle_at", "name_to_handle_at", "fanotify_init",
  "add_key", "request_key", "keyctl",
  "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
  "mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
  "swapon", "swapoff", "reboot", "acct", "quotactl", "syslog",
] as const;

/** Refused as if the kernel did not have them, so that callers fall back (liburing users, libuv, glibc's clone3). */
export const ABSENT_SYSCALLS = ["io_uring_setup", "io_uring_enter", "io_uring_register", "clone3"] as const;

type Syscall = (typeof DENIED_SYSCALLS)[number] | (typeof ABSENT_SYSCALLS)[number] | "socket" | "ioctl" | "clone" | "unshare";

interface ArchInfo {
  audit: number;
  numbers: Record<Syscall, number>;
}

// Numbers from the kernel's syscall tables (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h).
const UNIFIED = {
  io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427, open_tree: 428, move_mount: 429,
  fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, clone3: 435, mount_setattr: 442,
} as const;

const ARCHES: Partial<Record<NodeJS.Architecture, ArchInfo>> = {
  x64: {
    audit: 0xc000003e,
    numbers: {
      ...UNIFIED, socket: 41, ioctl: 16, clone: 56, bpf: 321, perf_event_open: 298, userfaultfd: 323,
      open_by_handle_at: 304, name_to_handle_at: 303, fanotify_init: 300, add_key: 248, request_key: 249, keyctl: 250,
      init_module: 175, finit_module: 313, delete_module: 176, kexec_load: 246, kexec_file_load: 320,
      mount: 165, umount2: 166, pivot_root: 155, swapon: 167, swapoff: 168, reboot: 169, acct: 163, quotactl: 179,
      syslog: 103, unshare: 272,
    },
  },
  arm64: {
    audit: 0xc00000b7,
    numbers: {
      ...UNIFIED, socket: 198, ioctl: 29, clone: 220, bpf: 280, perf_event_open: 241, userfaultfd: 282,
      open_by_handle_at: 265, name_to_handle_at: 264, fanotify_init: 262, add_key: 217, request_key: 218, keyctl: 219,
      init_module: 105, finit_module: 273, delete_module: 106, kexec_load: 104, kexec_file_load: 294,
      mount: 40, umount2: 39, pivot_root: 41, swapon: 224, swapoff: 225, reboot: 142, acct: 89, quotactl: 60,
      syslog: 116, unshare: 97,
    },
  },
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
  const nr = info.numbers;
  const refuse = (names: readonly Syscall[], target: string): Insn[] => names.map((name) => ({ code: BPF_JEQ_K, k: nr[name], jt: target }));
  return assemble([
    { code: BPF_LD_W_ABS, k: ARCH },
    { code: BPF_JEQ_K, k: info.audit, jt: "native", jf: "foreign" },
    { label: "native", code: BPF_LD_W_ABS, k: NR },
    { code: BPF_JGE_K, k: X32_BIT, jt: "foreign" },
    ...refuse(DENIED_SYSCALLS, "eperm"),
    ...refuse(ABSENT_SYSCALLS, "enosys"),
    { code: BPF_JEQ_K, k: nr.socket, jt: "socket" },
    { code: BPF_JEQ_K, k: nr.clone, jt: "newuser?" },
    { code: BPF_JEQ_K, k: nr.unshare, jt: "newuser?" },
    { code: BPF_JEQ_K, k: nr.ioctl, jt: "ioctl", jf: "allow" },
    { label: "socket", code: BPF_LD_W_ABS, k: ARG0 },
    { code: BPF_JEQ_K, k: AF_INET, jt: "allow" },
    { code: BPF_JEQ_K, k: AF_INET6, jt: "allow" },
    { code: BPF_JEQ_K, k: AF_NETLINK, jt: "allow", jf: "eperm" },
    { label: "newuser?", code: BPF_LD_W_ABS, k: ARG0 },
    { code: BPF_JSET_K, k: CLONE_NEWUSER, jt: "eperm", jf: "allow" },
    { label: "ioctl", code: BPF_LD_W_ABS, k: ARG1 },
    { code: BPF_JEQ_K, k: TIOCSTI, jt: "eperm" },
    { code: BPF_JEQ_K, k: TIOCLINUX, jt: "eperm", jf: "allow" },
    { label: "allow", code: BPF_RET_K, k: RET_ALLOW },
    { label: "eperm", code: BPF_RET_K, k: RET_ERRNO | EPERM },
    { label: "enosys", code: BPF_RET_K, k: RET_ERRNO | ENOSYS },
    { label: "foreign", code: BPF_RET_K, k: RET_ERRNO | ENOSYS },
  ]);
}

/** The number of a syscall on an architecture the filter knows, for tests that call it through libc. */
export function syscallNumber(name: Syscall, arch: NodeJS.Architecture = process.arch): number | null {
  return ARCHES[arch]?.numbers[name] ?? null;
}
