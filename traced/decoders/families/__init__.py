"""The decoders by syscall family, as strace groups its sources.

Each module holds its family's constant tables, the functions that print by them,
its structs, and ``DECODERS``: the type tags it decodes (some also ``BY_NAME`` or
``BY_ARGUMENT``, for arguments decoded by their name).  traced.decoders.registry
gathers them.

* signals: signal numbers, signal sets, struct sigaction, si_code names
* siginfo: siginfo_t as an argument
* sched: clone3's clone_args, scheduler policies and params, affinity masks,
  getcpu, mincore
* polling: poll's pollfds, select's fd sets, epoll's events, and their results
* files: open/at/access flags, fcntl, lseek, fadvise, paths, getdents, fd pairs
* stat: struct stat and statx, modes, device numbers, statx's flags
* buffers: read's and write's buffers, iovec arrays, plain strings
* sockets: domains, types, protocols, struct sockaddr, socklen_t
* messages: struct msghdr (sendmsg, recvmsg) with its control messages
* process: clone, wait, rlimits, argv/envp, arch_prctl
* times: timespec, utimensat's times
* mappings: mmap's protection and flags, msync, mlock, mremap, madvise, mempolicy
* ioctl: request numbers
* misc: futex, getrandom
* ipc: System V IPC keys, flags and ctl commands
* sockopts: MSG_* flags, shutdown, socket option levels and names, int values
* descriptors: flag sets of perf_event_open, fanotify_mark, flock, memfd ...
* kernel: seccomp, bpf, io_uring_register, keyctl, quotactl commands
* prctl: prctl's option

Tables of names come from traced.decoders._constants, generated from the kernel's
headers by scripts/gen_constants.py (the older hand-written tables here are to move
there as they are touched).
"""
