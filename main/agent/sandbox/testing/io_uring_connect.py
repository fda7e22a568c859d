"""Connects to a unix socket without calling socket(2): IORING_OP_SOCKET makes the socket, connect(2) the rest.

The attack the seccomp filter must stop. Usage: io_uring_connect.py PATH. Prints `connected` and sends
`hello` on success, else `refused <errno or reason>`. Used by the attack tests on the host (to show the
kernel supports it) and inside the sandbox (to show the filter stops it).
"""
import ctypes, mmap, os, socket, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_SETUP, NR_ENTER = 425, 426
IORING_OP_SOCKET = 45
IORING_OFF_SQES = 0x10000000
IORING_FEAT_SINGLE_MMAP = 1


def main(path):
    params = ctypes.create_string_buffer(120)
    ring = libc.syscall(NR_SETUP, 4, params)
    if ring < 0:
        print("refused", ctypes.get_errno())
        return
    sq_entries, cq_entries, _flags, _cpu, _idle, features = struct.unpack_from("6I", params, 0)
    sq_head, sq_tail, sq_mask, _e, _f, _d, sq_array = struct.unpack_from("7I", params, 40)
    cq_head, cq_tail, cq_mask, _e2, _o, cqes = struct.unpack_from("6I", params, 80)
    if not features & IORING_FEAT_SINGLE_MMAP:
        print("refused no-single-mmap")
        return
    size = max(sq_array + sq_entries * 4, cqes + cq_entries * 16)
    rings = mmap.mmap(ring, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
    sqes = mmap.mmap(ring, sq_entries * 64, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=IORING_OFF_SQES)
    # One SQE: socket(AF_UNIX, SOCK_STREAM, 0) as opcode, fd=domain, off=type, len=protocol.
    sqe = bytearray(64)
    struct.pack_into("BBHiQQI", sqe, 0, IORING_OP_SOCKET, 0, 0, socket.AF_UNIX, socket.SOCK_STREAM, 0, 0)
    sqes[0:64] = bytes(sqe)
    tail = struct.unpack_from("I", rings, sq_tail)[0]
    struct.pack_into("I", rings, sq_array + (tail & sq_mask) * 4, 0)
    struct.pack_into("I", rings, sq_tail, tail + 1)
    if libc.syscall(NR_ENTER, ring, 1, 1, 1, None, 0) < 0:
        print("refused enter", ctypes.get_errno())
        return
    head = struct.unpack_from("I", rings, cq_head)[0]
    res = struct.unpack_from("i", rings, cqes + (head & cq_mask) * 16 + 8)[0]
    if res < 0:
        print("refused op", -res)
        return
    sock = socket.socket(fileno=res)
    try:
        sock.connect(path)
    except OSError as error:
        print("refused connect", error.errno)
        return
    sock.sendall(b"hello")
    print("connected")


main(sys.argv[1])
