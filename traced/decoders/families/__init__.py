"""The decoders by syscall family, as strace groups its sources.

Each module holds its family's constant tables, the functions that print by them,
its structs, and ``DECODERS``: the type tags it decodes (some also ``BY_NAME`` or
``BY_ARGUMENT``, for arguments decoded by their name).  traced.decoders.registry
gathers them.

* signals: signal numbers, si_code names
* files: open/at/access flags, fcntl, lseek, fadvise, paths, getdents, fd pairs
* stat: struct stat and statx, modes, device numbers, statx's flags
* buffers: read's and write's buffers, plain strings
* sockets: domains, types, protocols, struct sockaddr, socklen_t
* process: clone, wait, rlimits, argv/envp, arch_prctl
* times: timespec, utimensat's times
* mappings: mmap's protection and flags
* ioctl: request numbers
* misc: futex, getrandom
"""
