"""Syscall signatures as our own data: argument names and types, and strace's classes.

One line of :data:`_TABLE` per syscall::

    openat  dirfd pathname:path flags:flags:open mode  | %desc %file

Arguments are listed in the order of the kernel's registers (arg0 .. arg5), each as
``name:type`` or, where name and type coincide, as a bare base type (``fd``, ``pid``,
``mode`` ...).  After ``|`` come the strace classes (``-e trace=%class``) the syscall
belongs to.  The table is indexed and its classes checked at import, and each line
parsed when its syscall is first looked up; an unknown type is an error then (and in
tests/unit/test_signatures.py, which looks up every one).

The signature lists the arguments the syscall takes, not a particular printing of
them: strace shows ``openat``'s mode only with O_CREAT or O_TMPFILE, ``fcntl``'s
third argument only for commands that take one, and so on, yet those arguments are
always listed.  Two types are never printed on their own (``hi``, ``unused``), so
:attr:`Signature.printed` is what strace shows when it shows every argument.

Type vocabulary (closed; :func:`is_type` decides membership).  Integers:

``int`` ``uint`` ``long`` ``ulong``
    signed / unsigned, printed in decimal; ``int`` and ``uint`` are 32-bit, the
    low half of their register (:func:`c_integer` says each argument's C type).
``hex``
    an integer strace prints in hexadecimal (``0`` as ``0``); also every argument
    of a syscall strace has no decoder for (``getpmsg``, ``afs_syscall`` ...).
``size``
    a byte or element count (size_t).
``off``
    a file offset (off_t / loff_t); on 32-bit ABIs, the low half of a split one.
``pgoff``
    a file offset counted in 4096-byte pages (``mmap2``); strace prints it in bytes.
``hi``
    the high 32 bits of the 64-bit value whose low half is the adjacent argument,
    split across two registers on 32-bit ABIs (ignored on 64-bit ones); strace
    prints the pair as one number, so this is never printed on its own.
``unused``
    a register the kernel ignores (i386 ``sigsuspend``'s first two); never printed.
``fd`` ``dirfd``
    a file descriptor; ``dirfd`` may also be AT_FDCWD.
``pid`` ``uid`` ``gid``
    process / user / group ids (-1 where meaningful).
``mode``
    a file mode, printed in octal with its S_IF* type bits named.
``dev``
    a device number, printed as makedev(major, minor).
``signal``
    a signal number, printed as SIGxxx.
``sigmask``
    an old-style signal mask passed by value (i386 ``ssetmask``, ``sigsuspend``).

Pointers into the tracee:

``path``
    a NUL-terminated pathname read from tracee memory (strace's -s limit does not
    apply).  Symlink targets count as paths, as strace prints them, although
    ``strace -P`` does not match on them.
``str``
    any other NUL-terminated string (xattr names, fs types, memfd names ...).
``buf_in``
    bytes the kernel reads; their length is another argument.
``buf_out``
    bytes the kernel writes; their length is another argument or the return value.
``cwd``
    a path the kernel writes (getcwd's buffer): shown whole, not cut at -s.
``random``
    bytes the kernel writes that strace shows as hex escapes (getrandom's buffer).
``ptr``
    an address strace shows as such (NULL or 0x...).
``strv``
    a NULL-terminated array of string pointers (argv, envp).
``sigset``
    a pointer to a signal set (its size is another argument, or fixed by the ABI).
``sockaddr``
    a pointer to a socket address (its length is another argument).
``socklen_ptr``
    a pointer to a socklen_t the kernel reads and updates.
``timespec`` ``timeval``
    a pointer to a struct timespec / timeval.
``utimens``
    a pointer to utimensat's two timespecs, with UTIME_NOW / UTIME_OMIT named.
``stat_out`` ``statx_out`` ``statfs_out``
    a struct stat / statx / statfs (any of the ABI's layouts) the kernel fills.
``rlimit``
    a pointer to a struct rlimit.
``pipefd``
    an int[2] the kernel fills (pipe, pipe2, socketpair).
``iovec``
    an array of struct iovec in another process (process_vm_readv's remote side) or
    of ranges (process_madvise): not followed.
``iovec_in``, ``iovec_out``
    an array of struct iovec whose buffers the call reads (writev) or fills (readv);
    the element count is the next argument.
``siginfo``
    a pointer to a siginfo_t.
``wstatus``
    an int* the kernel fills with a wait status (WIFEXITED ...).
``int_ptr``
    a pointer to one integer (int, long or loff_t) read or written, printed [N].

Families, each with a closed set of names (:data:`FLAG_SETS`, :data:`ENUM_SETS`,
:data:`STRUCTS`): ``flags:<set>`` (a bit set printed as A|B|C), ``enum:<set>`` (a
value printed by its constant's name) and ``struct:<name>`` (a pointer to a struct
or array decoded per syscall).

Classes: ``%file %process %net %signal %ipc %desc %memory %creds %clock %pure``,
the stat families ``%stat %lstat %fstat`` and ``%statfs %fstatfs``, and their unions
``%%stat`` / ``%%statfs``; ``%network`` is ``%net``.  They were written from what
strace 6.1 includes in each set and checked against it (tests/integration).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import NamedTuple


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


BASE_TYPES: frozenset[str] = _words(
    """
    int uint long ulong hex size off pgoff hi unused
    fd dirfd pid uid gid mode dev signal sigmask
    path str buf_in buf_out cwd random ptr strv sigset sockaddr socklen_ptr timespec
    timeval utimens stat_out statx_out statfs_out rlimit pipefd iovec siginfo wstatus
    int_ptr iovec_in iovec_out
    """
)
# Never printed on their own (see the module docstring).
HIDDEN_TYPES: frozenset[str] = frozenset({"hi", "unused"})

FLAG_SETS: frozenset[str] = _words(
    """
    access at clone close_range delete_module epoll_create eventfd faccessat fallocate
    membarrier memfd_secret userfaultfd unshare setns name_to_handle_at mount_setattr
    fanotify_init fanotify_mark fanotify_mask finit_module flock fsmount fsopen
    fspick getrandom inotify inotify_init io_uring_enter kexec kexec_file landlock
    mbind memfd mempolicy mlock mlockall mmap mmap_prot mount mount_attr move_mount
    move_pages mremap msg msgflg msync open open_tree perf_event_open personality
    ipc_get pidfd_open pipe pkey_access rename rwf seccomp shmat shmget signalfd sock
    splice statx statx_mask swap sync_file_range timer timerfd timerfd_settime umount
    wait xattr
    """
)
ENUM_SETS: frozenset[str] = _words(
    """
    arch_prctl bpf_cmd clock epoll_ctl fadvise fcntl_cmd fsconfig futex_op idtype
    io_uring_register ioctl ioprio ioprio_who ipc ipc_key itimer kcmp key_spec
    keyctl landlock_rule madvise membarrier mempolicy msgctl prctl prio_which
    ptrace quotactl reboot_cmd reboot_magic rlimit rusage_who sched_policy
    seccomp_op semctl shmctl shutdown_how sighandler sigprocmask_how socket_domain
    socket_protocol socket_type socketcall sockopt sockopt_level syslog whence
    """
)
STRUCTS: frozenset[str] = _words(
    """
    aio_sigset bpf_attr cap_data cap_header clone_args cpu_set dirent dirent64
    epoll_event fd_set file_handle futex_waitv gid_array io_event io_uring_params
    iocb itimerspec itimerval kexec_segment landlock_ruleset_attr mmap_arg mount_attr
    mq_attr msgbuf msghdr mmsghdr nodemask old_dirent old_sigaction open_how
    perf_event_attr pollfd rusage sched_attr sched_param sel_arg sembuf sigaction
    sigevent sigset_argpack stack_t sysctl_args sysinfo timex timezone tms
    user_desc ustat utimbuf utsname
    """
)
_FAMILIES = {"flags": FLAG_SETS, "enum": ENUM_SETS, "struct": STRUCTS}

CLASS_NAMES: tuple[str, ...] = (
    "%file", "%process", "%net", "%network", "%signal", "%ipc", "%desc", "%memory",
    "%creds", "%clock", "%stat", "%lstat", "%fstat", "%%stat", "%statfs", "%fstatfs",
    "%%statfs", "%pure",
)  # fmt: skip

# Syscalls that do not return to the caller when they succeed: the exits end the
# thread or process, a successful exec runs the new image, and the sigreturns
# resume the interrupted context rather than returning a value.
NORETURN: frozenset[str] = frozenset(
    {"exit", "exit_group", "execve", "execveat", "rt_sigreturn", "sigreturn"}
)


# The C type of an integer argument narrower than its register, as (bits, signed).
# The kernel reads only those low bits (an ``int`` is a 32-bit ``int`` whatever the
# register's upper half holds), and strace prints only them: a program that leaves
# garbage above an int, as strace's tests do on purpose, gets the int.
_C_INTEGERS: dict[str, tuple[int, bool]] = {
    "int": (32, True), "fd": (32, True), "dirfd": (32, True), "pid": (32, True),
    "signal": (32, True), "uint": (32, False), "uid": (32, False), "gid": (32, False),
    "mode": (16, False),  # umode_t, which strace prints as an unsigned short
}  # fmt: skip
# A flag set or an enum is an unsigned int (strace's printflags and printxval take
# one), except these, which the kernel takes as an unsigned long and strace prints
# whole (printflags64, printxval64): mmap's prot, clone's flags, a handler address.
_WIDE_SETS = frozenset((
    "flags:clone", "flags:mmap_prot", "flags:mremap", "flags:mount", "flags:kexec",
    "flags:unshare",
    "flags:kexec_file", "flags:perf_event_open", "flags:pkey_access", "flags:mempolicy",
    "flags:fanotify_mask", "enum:mempolicy", "enum:sighandler", "enum:ptrace",
))  # fmt: skip
# Arguments whose C type is not their tag's.
_C_INTEGER_ARGS: dict[tuple[str, str], tuple[int, bool] | None] = {
    ("pidfd_send_signal", "flags"): (32, False),  # an unsigned int, in hex
    ("futex_waitv", "flags"): (32, False),
    ("pidfd_getfd", "flags"): (32, False),
    ("process_madvise", "flags"): (32, False),
    ("process_mrelease", "flags"): (32, False),
    ("mknod", "mode"): (32, False),  # strace prints mknod's mode as an unsigned int
    ("mknodat", "mode"): (32, False),
    # unsigned ints strace prints in hex
    ("landlock_add_rule", "flags"): (32, False),
    ("landlock_restrict_self", "flags"): (32, False),
}


def c_integer(syscall: str, name: str, tag: str) -> tuple[int, bool] | None:
    """The (bits, signed) of an argument whose C type is narrower than a register;
    None where the whole register counts (longs, sizes, pointers)."""
    if (syscall, name) in _C_INTEGER_ARGS:
        return _C_INTEGER_ARGS[syscall, name]
    return _narrow(tag)


def _narrow(tag: str) -> tuple[int, bool] | None:
    if tag in _C_INTEGERS:
        return _C_INTEGERS[tag]
    if tag.startswith(("flags:", "enum:")) and tag not in _WIDE_SETS:
        return (32, False)
    return None


# How a filter compares an integer argument (argument predicates): (bits, signed),
# REGISTER bits meaning the ABI's register width.  The narrow C types are the ones
# above; these are the types that fill a register (a long, a size, an off_t, an
# address compared as a number) and three narrow ones never printed on their own.
# Tags absent here and above (paths, buffers, structs ...) point into the tracee,
# where a filter cannot read.
REGISTER = 0
_FILTER_KINDS: dict[str, tuple[int, bool]] = {
    **dict.fromkeys(("dev", "hi", "unused"), (32, False)),
    # umode_t is 16 bits, but the filter compares whole words: a mode is its low word
    # (bits 16-31 of a real mode are 0; junk there is judged where the kernel ignores it).
    "mode": (32, False),
    **dict.fromkeys(("long", "off", "enum:ptrace"), (REGISTER, True)),
    **dict.fromkeys(("ulong", "hex", "size", "pgoff", "sigmask", "ptr"), (REGISTER, False)),
    **dict.fromkeys(("flags:mmap", "flags:mbind"), (REGISTER, False)),
}  # fmt: skip


def integer_kind(tag: str) -> tuple[int, bool] | None:
    """``(bits, signed)`` of an integer argument's type (:data:`REGISTER` bits: the
    register's width); None for a pointer a filter cannot follow."""
    kind = _FILTER_KINDS.get(tag) or _narrow(tag)
    if kind is None and tag.startswith(("flags:", "enum:")):
        return (REGISTER, False)  # a wide set
    return kind


def is_type(tag: str) -> bool:
    """Whether ``tag`` belongs to the closed type vocabulary."""
    family, _, member = tag.partition(":")
    if not member:
        return tag in BASE_TYPES
    return member in _FAMILIES.get(family, frozenset())


class Arg(NamedTuple):
    name: str
    type: str


class Signature(NamedTuple):
    name: str
    args: tuple[Arg, ...]
    classes: frozenset[str]

    @property
    def printed(self) -> tuple[Arg, ...]:
        """The arguments strace shows when it shows them all (no ``hi``/``unused``)."""
        return tuple(arg for arg in self.args if arg.type not in HIDDEN_TYPES)


# fmt: off
# x86_64, in syscall-number order; everything here is also the signature on x32 and,
# unless _I386_TABLE says otherwise, on i386.
_TABLE = """
read                    fd buf:buf_out count:size                                  | %desc
write                   fd buf:buf_in count:size                                   | %desc
open                    pathname:path flags:flags:open mode                        | %desc %file
close                   fd                                                         | %desc
stat                    pathname:path statbuf:stat_out                             | %file %stat
fstat                   fd statbuf:stat_out                                        | %desc %fstat
lstat                   pathname:path statbuf:stat_out                             | %file %lstat
poll                    fds:struct:pollfd nfds:uint timeout:int                    | %desc
lseek                   fd offset:off whence:enum:whence                           | %desc
mmap                    addr:ptr length:size prot:flags:mmap_prot flags:flags:mmap fd offset:off | %desc %memory
mprotect                addr:ptr len:size prot:flags:mmap_prot                     | %memory
munmap                  addr:ptr length:size                                       | %memory
brk                     addr:ptr                                                   | %memory
rt_sigaction            signum:signal act:struct:sigaction oldact:struct:sigaction sigsetsize:size | %signal
rt_sigprocmask          how:enum:sigprocmask_how set:sigset oldset:sigset sigsetsize:size | %signal
rt_sigreturn                                                                       | %signal
ioctl                   fd request:enum:ioctl arg:ptr                              | %desc
pread64                 fd buf:buf_out count:size offset:off                       | %desc
pwrite64                fd buf:buf_in count:size offset:off                        | %desc
readv                   fd iov:iovec_out iovcnt:int                                | %desc
writev                  fd iov:iovec_in iovcnt:int                                 | %desc
access                  pathname:path mode:flags:access                            | %file
pipe                    pipefd                                                     | %desc
select                  nfds:int readfds:struct:fd_set writefds:struct:fd_set exceptfds:struct:fd_set timeout:timeval | %desc
sched_yield                                                                        |
mremap                  old_address:ptr old_size:size new_size:size flags:flags:mremap new_address:ptr | %memory
msync                   addr:ptr length:size flags:flags:msync                     | %memory
mincore                 addr:ptr length:size vec:buf_out                           | %memory
madvise                 addr:ptr length:size advice:enum:madvise                   | %memory
shmget                  key:enum:ipc_key size:size shmflg:flags:shmget             | %ipc
shmat                   shmid:int shmaddr:ptr shmflg:flags:shmat                   | %ipc %memory
shmctl                  shmid:int cmd:enum:shmctl buf:ptr                          | %ipc
dup                     oldfd:fd                                                   | %desc
dup2                    oldfd:fd newfd:fd                                          | %desc
pause                                                                              | %signal
nanosleep               req:timespec rem:ptr                                       |
getitimer               which:enum:itimer curr_value:struct:itimerval              |
alarm                   seconds:uint                                               |
setitimer               which:enum:itimer new_value:struct:itimerval old_value:struct:itimerval |
getpid                                                                             | %pure
sendfile                out_fd:fd in_fd:fd offset:int_ptr count:size               | %desc %net
socket                  domain:enum:socket_domain type:enum:socket_type protocol:enum:socket_protocol | %net
connect                 sockfd:fd addr:sockaddr addrlen:int                        | %net
accept                  sockfd:fd addr:sockaddr addrlen:socklen_ptr                | %net
sendto                  sockfd:fd buf:buf_in len:size flags:flags:msg dest_addr:sockaddr addrlen:int | %net
recvfrom                sockfd:fd buf:buf_out len:size flags:flags:msg src_addr:sockaddr addrlen:socklen_ptr | %net
sendmsg                 sockfd:fd msg:struct:msghdr flags:flags:msg                | %net
recvmsg                 sockfd:fd msg:struct:msghdr flags:flags:msg                | %net
shutdown                sockfd:fd how:enum:shutdown_how                            | %net
bind                    sockfd:fd addr:sockaddr addrlen:int                        | %net
listen                  sockfd:fd backlog:int                                      | %net
getsockname             sockfd:fd addr:sockaddr addrlen:socklen_ptr                | %net
getpeername             sockfd:fd addr:sockaddr addrlen:socklen_ptr                | %net
socketpair              domain:enum:socket_domain type:enum:socket_type protocol:enum:socket_protocol sv:pipefd | %net
setsockopt              sockfd:fd level:enum:sockopt_level optname:enum:sockopt optval:buf_in optlen:int | %net
getsockopt              sockfd:fd level:enum:sockopt_level optname:enum:sockopt optval:buf_out optlen:socklen_ptr | %net
clone                   flags:flags:clone stack:ptr parent_tid:ptr child_tid:ptr tls:hex | %process
fork                                                                               | %process
vfork                                                                              | %process
execve                  pathname:path argv:strv envp:strv                          | %file %process
exit                    status:int                                                 | %process
wait4                   pid wstatus options:flags:wait rusage:struct:rusage        | %process
kill                    pid sig:signal                                             | %process %signal
uname                   buf:struct:utsname                                         |
semget                  key:enum:ipc_key nsems:int semflg:flags:ipc_get            | %ipc
semop                   semid:int sops:struct:sembuf nsops:uint                    | %ipc
semctl                  semid:int semnum:int cmd:enum:semctl arg:ptr               | %ipc
shmdt                   shmaddr:ptr                                                | %ipc %memory
msgget                  key:enum:ipc_key msgflg:flags:ipc_get                      | %ipc
msgsnd                  msqid:int msgp:struct:msgbuf msgsz:size msgflg:flags:msgflg | %ipc
msgrcv                  msqid:int msgp:struct:msgbuf msgsz:size msgtyp:long msgflg:flags:msgflg | %ipc
msgctl                  msqid:int cmd:enum:msgctl buf:ptr                          | %ipc
fcntl                   fd cmd:enum:fcntl_cmd arg:ulong                            | %desc
flock                   fd operation:flags:flock                                   | %desc
fsync                   fd                                                         | %desc
fdatasync               fd                                                         | %desc
truncate                path length:off                                            | %file
ftruncate               fd length:off                                              | %desc
getdents                fd dirp:struct:dirent count:uint                           | %desc
getcwd                  buf:cwd size:size                                          | %file
chdir                   path                                                       | %file
fchdir                  fd                                                         | %desc
rename                  oldpath:path newpath:path                                  | %file
mkdir                   pathname:path mode                                         | %file
rmdir                   pathname:path                                              | %file
creat                   pathname:path mode                                         | %desc %file
link                    oldpath:path newpath:path                                  | %file
unlink                  pathname:path                                              | %file
symlink                 target:path linkpath:path                                  | %file
readlink                pathname:path buf:buf_out bufsiz:size                      | %file
chmod                   pathname:path mode                                         | %file
fchmod                  fd mode                                                    | %desc
chown                   pathname:path owner:uid group:gid                          | %file
fchown                  fd owner:uid group:gid                                     | %desc
lchown                  pathname:path owner:uid group:gid                          | %file
umask                   mask:mode                                                  |
gettimeofday            tv:timeval tz:struct:timezone                              | %clock
getrlimit               resource:enum:rlimit rlim:rlimit                           |
getrusage               who:enum:rusage_who usage:struct:rusage                    |
sysinfo                 info:struct:sysinfo                                        |
times                   buf:struct:tms                                             |
ptrace                  request:enum:ptrace pid addr:ptr data:ptr                  |
getuid                                                                             | %creds %pure
syslog                  type:enum:syslog bufp:buf_out len:int                      |
getgid                                                                             | %creds %pure
setuid                  uid                                                        | %creds
setgid                  gid                                                        | %creds
geteuid                                                                            | %creds %pure
getegid                                                                            | %creds %pure
setpgid                 pid pgid:pid                                               |
getppid                                                                            | %pure
getpgrp                                                                            | %pure
setsid                                                                             |
setreuid                ruid:uid euid:uid                                          | %creds
setregid                rgid:gid egid:gid                                          | %creds
getgroups               size:int list:struct:gid_array                             | %creds
setgroups               size:int list:struct:gid_array                            | %creds
setresuid               ruid:uid euid:uid suid:uid                                 | %creds
getresuid               ruid:int_ptr euid:int_ptr suid:int_ptr                     | %creds
setresgid               rgid:gid egid:gid sgid:gid                                 | %creds
getresgid               rgid:int_ptr egid:int_ptr sgid:int_ptr                     | %creds
getpgid                 pid                                                        |
setfsuid                fsuid:uid                                                  | %creds
setfsgid                fsgid:gid                                                  | %creds
getsid                  pid                                                        |
capget                  hdrp:struct:cap_header datap:struct:cap_data               | %creds
capset                  hdrp:struct:cap_header datap:struct:cap_data               | %creds
rt_sigpending           set:sigset sigsetsize:size                                 | %signal
rt_sigtimedwait         set:sigset info:siginfo timeout:timespec sigsetsize:size   | %signal
rt_sigqueueinfo         tgid:pid sig:signal info:siginfo                           | %process %signal
rt_sigsuspend           mask:sigset sigsetsize:size                                | %signal
sigaltstack             ss:struct:stack_t old_ss:struct:stack_t                    | %signal
utime                   filename:path times:struct:utimbuf                         | %file
mknod                   pathname:path mode dev                                     | %file
uselib                  library:path                                               | %file
personality             persona:flags:personality                                  |
ustat                   dev ubuf:struct:ustat                                      | %%statfs
statfs                  path buf:statfs_out                                        | %file %statfs
fstatfs                 fd buf:statfs_out                                          | %desc %fstatfs
sysfs                   option:int arg1:ulong arg2:ulong                           |
getpriority             which:enum:prio_which who:int                              |
setpriority             which:enum:prio_which who:int prio:int                     |
sched_setparam          pid param:struct:sched_param                               |
sched_getparam          pid param:struct:sched_param                               |
sched_setscheduler      pid policy:enum:sched_policy param:struct:sched_param      |
sched_getscheduler      pid                                                        |
sched_get_priority_max  policy:enum:sched_policy                                   |
sched_get_priority_min  policy:enum:sched_policy                                   |
sched_rr_get_interval   pid tp:timespec                                            |
mlock                   addr:ptr len:size                                          | %memory
munlock                 addr:ptr len:size                                          | %memory
mlockall                flags:flags:mlockall                                       | %memory
munlockall                                                                         | %memory
vhangup                                                                            |
modify_ldt              func:int ptr bytecount:ulong                               |
pivot_root              new_root:path put_old:path                                 | %file
_sysctl                 args:struct:sysctl_args                                    |
prctl                   option:enum:prctl arg2:ulong arg3:ulong arg4:ulong arg5:ulong | %creds
arch_prctl              code:enum:arch_prctl addr:ptr                              |
adjtimex                buf:struct:timex                                           | %clock
setrlimit               resource:enum:rlimit rlim:rlimit                           |
chroot                  path                                                       | %file
sync                                                                               |
acct                    filename:path                                              | %file
settimeofday            tv:timeval tz:struct:timezone                              | %clock
mount                   source:path target:path filesystemtype:str mountflags:flags:mount data:str | %file
umount2                 target:path flags:flags:umount                             | %file
swapon                  path swapflags:flags:swap                                  | %file
swapoff                 path                                                       | %file
reboot                  magic:enum:reboot_magic magic2:enum:reboot_magic cmd:enum:reboot_cmd arg:ptr |
sethostname             name:buf_in len:uint                                       |
setdomainname           name:buf_in len:uint                                       |
iopl                    level:int                                                  |
ioperm                  from:hex num:hex turn_on:int                           |
create_module           name:hex size:hex                                          |
init_module             module_image:ptr len:size param_values:str                 |
delete_module           name:str flags:flags:delete_module                         |
get_kernel_syms         table:hex                                                  |
query_module            name:hex which:hex buf:hex bufsize:hex ret:hex             |
quotactl                cmd:enum:quotactl special:path id:int addr:ptr             | %file
nfsservctl              cmd:hex argp:hex resp:hex                                  |
getpmsg                 a0:hex a1:hex a2:hex a3:hex a4:hex                         | %net
putpmsg                 a0:hex a1:hex a2:hex a3:hex a4:hex                         | %net
afs_syscall             a0:hex a1:hex a2:hex a3:hex a4:hex                         |
tuxcall                 a0:hex a1:hex a2:hex                                       |
security                a0:hex a1:hex a2:hex                                       |
gettid                                                                             | %pure
readahead               fd offset:off count:size                                   | %desc
setxattr                path name:str value:buf_in size:size flags:flags:xattr     | %file
lsetxattr               path name:str value:buf_in size:size flags:flags:xattr     | %file
fsetxattr               fd name:str value:buf_in size:size flags:flags:xattr       | %desc
getxattr                path name:str value:buf_out size:size                      | %file
lgetxattr               path name:str value:buf_out size:size                      | %file
fgetxattr               fd name:str value:buf_out size:size                        | %desc
listxattr               path list:buf_out size:size                                | %file
llistxattr              path list:buf_out size:size                                | %file
flistxattr              fd list:buf_out size:size                                  | %desc
removexattr             path name:str                                              | %file
lremovexattr            path name:str                                              | %file
fremovexattr            fd name:str                                                | %desc
tkill                   tid:pid sig:signal                                         | %process %signal
time                    tloc:int_ptr                                               | %clock
futex                   uaddr:ptr futex_op:enum:futex_op val:uint timeout:timespec uaddr2:ptr val3:uint |
sched_setaffinity       pid cpusetsize:size mask:struct:cpu_set                    |
sched_getaffinity       pid cpusetsize:size mask:struct:cpu_set                    |
set_thread_area         u_info:struct:user_desc                                    |
io_setup                nr_events:uint ctx_idp:ptr                                 | %memory
io_destroy              ctx_id:ptr                                                 | %memory
io_getevents            ctx_id:ptr min_nr:long nr:long events:struct:io_event timeout:timespec |
io_submit               ctx_id:ptr nr:long iocbpp:struct:iocb                      |
io_cancel               ctx_id:ptr iocb:struct:iocb result:struct:io_event         |
get_thread_area         u_info:struct:user_desc                                    |
lookup_dcookie          cookie:ulong buffer:buf_out len:size                       |
epoll_create            size:int                                                   | %desc
epoll_ctl_old           a0:hex a1:hex a2:hex a3:hex                                |
epoll_wait_old          a0:hex a1:hex a2:hex a3:hex                                |
remap_file_pages        addr:ptr size:size prot:flags:mmap_prot pgoff:ulong flags:flags:mmap | %memory
getdents64              fd dirp:struct:dirent64 count:uint                         | %desc
set_tid_address         tidptr:hex                                                 |
restart_syscall                                                                    |
semtimedop              semid:int sops:struct:sembuf nsops:uint timeout:timespec   | %ipc
fadvise64               fd offset:off len:size advice:enum:fadvise                 | %desc
timer_create            clockid:enum:clock sevp:struct:sigevent timerid:int_ptr    |
timer_settime           timerid:int flags:flags:timer new_value:struct:itimerspec old_value:struct:itimerspec |
timer_gettime           timerid:int curr_value:struct:itimerspec                   |
timer_getoverrun        timerid:int                                                |
timer_delete            timerid:int                                                |
clock_settime           clockid:enum:clock tp:timespec                             | %clock
clock_gettime           clockid:enum:clock tp:timespec                             | %clock
clock_getres            clockid:enum:clock res:timespec                            | %clock
clock_nanosleep         clockid:enum:clock flags:flags:timer request:timespec remain:ptr |
exit_group              status:int                                                 | %process
epoll_wait              epfd:fd events:struct:epoll_event maxevents:int timeout:int | %desc
epoll_ctl               epfd:fd op:enum:epoll_ctl fd event:struct:epoll_event      | %desc
tgkill                  tgid:pid tid:pid sig:signal                                | %process %signal
utimes                  filename:path times:timeval                                | %file
vserver                 a0:hex a1:hex a2:hex a3:hex a4:hex                         |
mbind                   addr:ptr len:ulong mode:enum:mempolicy nodemask:struct:nodemask maxnode:ulong flags:flags:mbind | %memory
set_mempolicy           mode:enum:mempolicy nodemask:struct:nodemask maxnode:ulong | %memory
get_mempolicy           mode:int_ptr nodemask:struct:nodemask maxnode:ulong addr:ptr flags:flags:mempolicy | %memory
mq_open                 name:str oflag:flags:open mode attr:struct:mq_attr         | %desc
mq_unlink               name:str                                                   |
mq_timedsend            mqdes:fd msg_ptr:buf_in msg_len:size msg_prio:uint abs_timeout:timespec | %desc
mq_timedreceive         mqdes:fd msg_ptr:buf_out msg_len:size msg_prio:int_ptr abs_timeout:timespec | %desc
mq_notify               mqdes:fd sevp:struct:sigevent                              | %desc
mq_getsetattr           mqdes:fd newattr:struct:mq_attr oldattr:struct:mq_attr     | %desc
kexec_load              entry:ptr nr_segments:ulong segments:struct:kexec_segment flags:flags:kexec |
waitid                  idtype:enum:idtype id:int infop:siginfo options:flags:wait rusage:struct:rusage | %process
add_key                 type:str description:str payload:buf_in plen:size keyring:enum:key_spec |
request_key             type:str description:str callout_info:str dest_keyring:enum:key_spec |
keyctl                  operation:enum:keyctl arg2:ulong arg3:ulong arg4:ulong arg5:ulong |
ioprio_set              which:enum:ioprio_who who:int ioprio:enum:ioprio           |
ioprio_get              which:enum:ioprio_who who:int                              |
inotify_init                                                                       | %desc
inotify_add_watch       fd pathname:path mask:flags:inotify                        | %desc %file
inotify_rm_watch        fd wd:int                                                  | %desc
migrate_pages           pid maxnode:ulong old_nodes:struct:nodemask new_nodes:struct:nodemask | %memory
openat                  dirfd pathname:path flags:flags:open mode                  | %desc %file
mkdirat                 dirfd pathname:path mode                                   | %desc %file
mknodat                 dirfd pathname:path mode dev                               | %desc %file
fchownat                dirfd pathname:path owner:uid group:gid flags:flags:at     | %desc %file
futimesat               dirfd pathname:path times:timeval                          | %desc %file
newfstatat              dirfd pathname:path statbuf:stat_out flags:flags:at        | %desc %file %fstat
unlinkat                dirfd pathname:path flags:flags:at                         | %desc %file
renameat                olddirfd:dirfd oldpath:path newdirfd:dirfd newpath:path    | %desc %file
linkat                  olddirfd:dirfd oldpath:path newdirfd:dirfd newpath:path flags:flags:at | %desc %file
symlinkat               target:path newdirfd:dirfd linkpath:path                   | %desc %file
readlinkat              dirfd pathname:path buf:buf_out bufsiz:size                | %desc %file
fchmodat                dirfd pathname:path mode                                   | %desc %file
faccessat               dirfd pathname:path mode:flags:access                      | %desc %file
pselect6                nfds:int readfds:struct:fd_set writefds:struct:fd_set exceptfds:struct:fd_set timeout:timespec sigmask:struct:sigset_argpack | %desc
ppoll                   fds:struct:pollfd nfds:uint tmo_p:timespec sigmask:sigset sigsetsize:size | %desc
unshare                 flags:flags:unshare                                          |
set_robust_list         head:ptr len:size                                          |
get_robust_list         pid head_ptr:ptr len_ptr:int_ptr                           |
splice                  fd_in:fd off_in:int_ptr fd_out:fd off_out:int_ptr len:size flags:flags:splice | %desc
tee                     fd_in:fd fd_out:fd len:size flags:flags:splice             | %desc
sync_file_range         fd offset:off nbytes:off flags:flags:sync_file_range       | %desc
vmsplice                fd iov:iovec_in nr_segs:ulong flags:flags:splice           | %desc
move_pages              pid count:ulong pages:ptr nodes:ptr status:ptr flags:flags:move_pages | %memory
utimensat               dirfd pathname:path times:utimens flags:flags:at           | %desc %file
epoll_pwait             epfd:fd events:struct:epoll_event maxevents:int timeout:int sigmask:sigset sigsetsize:size | %desc
signalfd                fd mask:sigset sizemask:size                               | %desc %signal
timerfd_create          clockid:enum:clock flags:flags:timerfd                     | %desc
eventfd                 initval:uint                                               | %desc
fallocate               fd mode:flags:fallocate offset:off len:off                 | %desc
timerfd_settime         fd flags:flags:timerfd_settime new_value:struct:itimerspec old_value:struct:itimerspec | %desc
timerfd_gettime         fd curr_value:struct:itimerspec                            | %desc
accept4                 sockfd:fd addr:sockaddr addrlen:socklen_ptr flags:flags:sock | %net
signalfd4               fd mask:sigset sizemask:size flags:flags:signalfd          | %desc %signal
eventfd2                initval:uint flags:flags:eventfd                           | %desc
epoll_create1           flags:flags:epoll_create                                   | %desc
dup3                    oldfd:fd newfd:fd flags:flags:pipe                         | %desc
pipe2                   pipefd flags:flags:pipe                                    | %desc
inotify_init1           flags:flags:inotify_init                                   | %desc
preadv                  fd iov:iovec_out iovcnt:int offset:off offset_hi:hi        | %desc
pwritev                 fd iov:iovec_in iovcnt:int offset:off offset_hi:hi         | %desc
rt_tgsigqueueinfo       tgid:pid tid:pid sig:signal info:siginfo                   | %process %signal
perf_event_open         attr:struct:perf_event_attr pid cpu:int group_fd:fd flags:flags:perf_event_open | %desc
recvmmsg                sockfd:fd msgvec:struct:mmsghdr vlen:uint flags:flags:msg timeout:timespec | %net
fanotify_init           flags:flags:fanotify_init event_f_flags:flags:open         | %desc
fanotify_mark           fanotify_fd:fd flags:flags:fanotify_mark mask:flags:fanotify_mask dirfd pathname:path | %desc %file
prlimit64               pid resource:enum:rlimit new_limit:rlimit old_limit:rlimit |
name_to_handle_at       dirfd pathname:path handle:struct:file_handle mount_id:int_ptr flags:flags:name_to_handle_at | %desc %file
open_by_handle_at       mount_fd:fd handle:struct:file_handle flags:flags:open     | %desc
clock_adjtime           clockid:enum:clock buf:struct:timex                        | %clock
syncfs                  fd                                                         | %desc
sendmmsg                sockfd:fd msgvec:struct:mmsghdr vlen:uint flags:flags:msg  | %net
setns                   fd nstype:flags:setns                                      | %desc
getcpu                  cpu:int_ptr node:int_ptr tcache:ptr                        |
process_vm_readv        pid local_iov:iovec liovcnt:ulong remote_iov:iovec riovcnt:ulong flags:ulong |
process_vm_writev       pid local_iov:iovec liovcnt:ulong remote_iov:iovec riovcnt:ulong flags:ulong |
kcmp                    pid1:pid pid2:pid type:enum:kcmp idx1:ulong idx2:ulong     |
finit_module            fd param_values:str flags:flags:finit_module               | %desc
sched_setattr           pid attr:struct:sched_attr flags:uint                      |
sched_getattr           pid attr:struct:sched_attr size:uint flags:uint            |
renameat2               olddirfd:dirfd oldpath:path newdirfd:dirfd newpath:path flags:flags:rename | %desc %file
seccomp                 operation:enum:seccomp_op flags:flags:seccomp args:ptr     |
getrandom               buf:random buflen:size flags:flags:getrandom               |
memfd_create            name:str flags:flags:memfd                                 | %desc
kexec_file_load         kernel_fd:fd initrd_fd:fd cmdline_len:ulong cmdline:str flags:flags:kexec_file | %desc
bpf                     cmd:enum:bpf_cmd attr:struct:bpf_attr size:uint           | %desc
execveat                dirfd pathname:path argv:strv envp:strv flags:flags:at     | %desc %file %process
userfaultfd             flags:flags:userfaultfd                                           | %desc
membarrier              cmd:enum:membarrier flags:flags:membarrier cpu_id:int                  |
mlock2                  addr:ptr len:size flags:flags:mlock                        | %memory
copy_file_range         fd_in:fd off_in:int_ptr fd_out:fd off_out:int_ptr len:size flags:uint | %desc
preadv2                 fd iov:iovec_out iovcnt:ulong offset:off offset_hi:hi flags:flags:rwf | %desc
pwritev2                fd iov:iovec_in iovcnt:ulong offset:off offset_hi:hi flags:flags:rwf | %desc
pkey_mprotect           addr:ptr len:size prot:flags:mmap_prot pkey:int            | %memory
pkey_alloc              flags:hex access_rights:flags:pkey_access                 |
pkey_free               pkey:int                                                   |
statx                   dirfd pathname:path flags:flags:statx mask:flags:statx_mask statxbuf:statx_out | %desc %file %fstat
io_pgetevents           ctx_id:ptr min_nr:long nr:long events:struct:io_event timeout:timespec usig:struct:aio_sigset |
rseq                    rseq:hex rseq_len:hex flags:hex sig:hex                    |
pidfd_send_signal       pidfd:fd sig:signal info:siginfo flags:hex                 | %desc %process %signal
io_uring_setup          entries:uint params:struct:io_uring_params                 | %desc
io_uring_enter          fd to_submit:uint min_complete:uint flags:flags:io_uring_enter sig:sigset sigsz:size | %desc %signal
io_uring_register       fd opcode:enum:io_uring_register arg:ptr nr_args:uint      | %desc %memory
open_tree               dirfd pathname:path flags:flags:open_tree                  | %desc %file
move_mount              from_dirfd:dirfd from_pathname:path to_dirfd:dirfd to_pathname:path flags:flags:move_mount | %desc %file
fsopen                  fsname:str flags:flags:fsopen                              | %desc
fsconfig                fd cmd:enum:fsconfig key:str value:ptr aux:int             | %desc %file
fsmount                 fd flags:flags:fsmount attr_flags:flags:mount_attr         | %desc
fspick                  dirfd pathname:path flags:flags:fspick                     | %desc %file
pidfd_open              pid flags:flags:pidfd_open                                 | %desc
clone3                  cl_args:struct:clone_args size:size                        | %process
close_range             first:uint last:uint flags:flags:close_range                   |
openat2                 dirfd pathname:path how:struct:open_how size:size          | %desc %file
pidfd_getfd             pidfd:fd targetfd:int flags:hex                            | %desc
faccessat2              dirfd pathname:path mode:flags:access flags:flags:faccessat | %desc %file
process_madvise         pidfd:fd iovec vlen:size advice:enum:madvise flags:hex     | %desc
epoll_pwait2            epfd:fd events:struct:epoll_event maxevents:int timeout:timespec sigmask:sigset sigsetsize:size | %desc
mount_setattr           dirfd pathname:path flags:flags:mount_setattr attr:struct:mount_attr size:size | %desc %file
quotactl_fd             fd cmd:enum:quotactl id:int addr:ptr                       | %desc
landlock_create_ruleset attr:struct:landlock_ruleset_attr size:size flags:flags:landlock | %desc
landlock_add_rule       ruleset_fd:fd rule_type:enum:landlock_rule rule_attr:ptr flags:hex | %desc
landlock_restrict_self  ruleset_fd:fd flags:hex                                   | %desc
memfd_secret            flags:flags:memfd_secret                                           | %desc
process_mrelease        pidfd:fd flags:hex                                         | %desc
futex_waitv             waiters:struct:futex_waitv nr_futexes:uint flags:hex  timeout:timespec clockid:enum:clock |
set_mempolicy_home_node start:ptr len:ulong home_node:ulong flags:hex            | %memory
# i386 only
waitpid                 pid wstatus options:flags:wait                             | %process
break                                                                              | %memory
oldstat                 pathname:path statbuf:stat_out                             | %file %stat
umount                  target:path                                                | %file
stime                   t:int_ptr                                                  |
oldfstat                fd statbuf:stat_out                                        | %desc %fstat
stty                    a0:hex a1:hex                                              |
gtty                    a0:hex a1:hex                                              |
nice                    inc:int                                                    |
ftime                                                                              |
prof                                                                               |
signal                  signum:signal handler:enum:sighandler                      | %signal
lock                                                                               |
mpx                                                                                |
ulimit                  a0:hex a1:hex                                              |
oldolduname             name:hex                                                   |
sigaction               signum:signal act:struct:old_sigaction oldact:struct:old_sigaction | %signal
sgetmask                                                                           | %signal
ssetmask                newmask:sigmask                                            | %signal
sigsuspend              unused0:unused unused1:unused mask:sigmask                 | %signal
sigpending              set:sigset                                                 | %signal
oldlstat                pathname:path statbuf:stat_out                             | %file %lstat
readdir                 fd dirp:struct:old_dirent count:uint                       | %desc
profil                  a0:hex a1:hex a2:hex a3:hex                                |
socketcall              call:enum:socketcall args:ptr                              | %desc
olduname                name:hex                                                   |
idle                                                                               |
vm86old                 a0:hex                                                     |
ipc                     call:enum:ipc first:int second:int third:int ptr fifth:long | %ipc
sigreturn                                                                          | %signal
sigprocmask             how:enum:sigprocmask_how set:sigset oldset:sigset          | %signal
bdflush                 func:int data:long                                         |
_llseek                 fd offset_high:hi offset_low:off result:int_ptr whence:enum:whence | %desc
_newselect              nfds:int readfds:struct:fd_set writefds:struct:fd_set exceptfds:struct:fd_set timeout:timeval | %desc
vm86                    a0:hex a1:hex a2:hex a3:hex a4:hex                         |
ugetrlimit              resource:enum:rlimit rlim:rlimit                           |
mmap2                   addr:ptr length:size prot:flags:mmap_prot flags:flags:mmap fd pgoffset:pgoff | %desc %memory
truncate64              path length:off length_hi:hi                               | %file
ftruncate64             fd length:off length_hi:hi                                 | %desc
stat64                  pathname:path statbuf:stat_out                             | %file %stat
lstat64                 pathname:path statbuf:stat_out                             | %file %lstat
fstat64                 fd statbuf:stat_out                                        | %desc %fstat
lchown32                pathname:path owner:uid group:gid                          | %file
getuid32                                                                           | %creds %pure
getgid32                                                                           | %creds %pure
geteuid32                                                                          | %creds %pure
getegid32                                                                          | %creds %pure
setreuid32              ruid:uid euid:uid                                          | %creds
setregid32              rgid:gid egid:gid                                          | %creds
getgroups32             size:int list:struct:gid_array                             | %creds
setgroups32             size:size list:struct:gid_array                            | %creds
fchown32                fd owner:uid group:gid                                     | %desc
setresuid32             ruid:uid euid:uid suid:uid                                 | %creds
getresuid32             ruid:int_ptr euid:int_ptr suid:int_ptr                     | %creds
setresgid32             rgid:gid egid:gid sgid:gid                                 | %creds
getresgid32             rgid:int_ptr egid:int_ptr sgid:int_ptr                     | %creds
chown32                 pathname:path owner:uid group:gid                          | %file
setuid32                uid                                                        | %creds
setgid32                gid                                                        | %creds
setfsuid32              fsuid:uid                                                  | %creds
setfsgid32              fsgid:gid                                                  | %creds
fcntl64                 fd cmd:enum:fcntl_cmd arg:ulong                            | %desc
sendfile64              out_fd:fd in_fd:fd offset:int_ptr count:size               | %desc %net
statfs64                path size:size buf:statfs_out                              | %file %statfs
fstatfs64               fd size:size buf:statfs_out                                | %desc %fstatfs
fadvise64_64            fd offset:off offset_hi:hi len:off len_hi:hi advice:enum:fadvise | %desc
fstatat64               dirfd pathname:path statbuf:stat_out flags:flags:at        | %desc %file %fstat
clock_gettime64         clockid:enum:clock tp:timespec                             | %clock
clock_settime64         clockid:enum:clock tp:timespec                             | %clock
clock_adjtime64         clockid:enum:clock buf:struct:timex                        | %clock
clock_getres_time64     clockid:enum:clock res:timespec                            | %clock
clock_nanosleep_time64  clockid:enum:clock flags:flags:timer request:timespec remain:ptr |
timer_gettime64         timerid:int curr_value:struct:itimerspec                   |
timer_settime64         timerid:int flags:flags:timer new_value:struct:itimerspec old_value:struct:itimerspec |
timerfd_gettime64       fd curr_value:struct:itimerspec                            | %desc
timerfd_settime64       fd flags:flags:timerfd_settime new_value:struct:itimerspec old_value:struct:itimerspec | %desc
utimensat_time64        dirfd pathname:path times:utimens flags:flags:at           | %desc %file
pselect6_time64         nfds:int readfds:struct:fd_set writefds:struct:fd_set exceptfds:struct:fd_set timeout:timespec sigmask:struct:sigset_argpack | %desc
ppoll_time64            fds:struct:pollfd nfds:uint tmo_p:timespec sigmask:sigset sigsetsize:size | %desc
io_pgetevents_time64    ctx_id:ptr min_nr:long nr:long events:struct:io_event timeout:timespec usig:struct:aio_sigset |
recvmmsg_time64         sockfd:fd msgvec:struct:mmsghdr vlen:uint flags:flags:msg timeout:timespec | %net
mq_timedsend_time64     mqdes:fd msg_ptr:buf_in msg_len:size msg_prio:uint abs_timeout:timespec | %desc
mq_timedreceive_time64  mqdes:fd msg_ptr:buf_out msg_len:size msg_prio:int_ptr abs_timeout:timespec | %desc
semtimedop_time64       semid:int sops:struct:sembuf nsops:size timeout:timespec   | %ipc
rt_sigtimedwait_time64  set:sigset info:siginfo timeout:timespec sigsetsize:size   | %signal
futex_time64            uaddr:ptr futex_op:enum:futex_op val:uint timeout:timespec uaddr2:ptr val3:uint |
sched_rr_get_interval_time64 pid tp:timespec                                       |
"""  # noqa: E501

# i386 layouts of names shared with x86_64 that differ there: old-style calls taking
# one struct pointer, clone's tls/child_tid swap, and 64-bit values split in two.
# Classes are the x86_64 line's.
_I386_TABLE = """
mmap                    args:struct:mmap_arg
select                  args:struct:sel_arg
clone                   flags:flags:clone stack:ptr parent_tid:ptr tls:hex child_tid:ptr
pread64                 fd buf:buf_out count:size offset:off offset_hi:hi
pwrite64                fd buf:buf_in count:size offset:off offset_hi:hi
readahead               fd offset:off offset_hi:hi count:size
fadvise64               fd offset:off offset_hi:hi len:size advice:enum:fadvise
fallocate               fd mode:flags:fallocate offset:off offset_hi:hi len:off len_hi:hi
sync_file_range         fd offset:off offset_hi:hi nbytes:off nbytes_hi:hi flags:flags:sync_file_range
lookup_dcookie          cookie:ulong cookie_hi:hi buffer:buf_out len:size
fanotify_mark           fanotify_fd:fd flags:flags:fanotify_mark mask:flags:fanotify_mask mask_hi:hi dirfd pathname:path
"""  # noqa: E501

# aarch64 layouts of names shared with x86_64 that differ there.  aarch64 is a 64-bit
# ABI with x86_64's argument types; only clone differs, ordered as on i386
# (CLONE_BACKWARDS: tls before child_tid).  Classes are the x86_64 line's.
_AARCH64_TABLE = """
clone                   flags:flags:clone stack:ptr parent_tid:ptr tls:hex child_tid:ptr
"""
# fmt: on


def _parse_args(spec: str) -> tuple[Arg, ...]:
    args = []
    for token in spec.split():
        name, _, tag = token.partition(":")
        arg = Arg(name, tag or name)
        if not is_type(arg.type):
            raise ValueError(f"unknown argument type {arg.type!r} in {spec!r}")
        args.append(arg)
    if len(args) > 6:
        raise ValueError(f"more than six arguments: {spec!r}")
    return tuple(args)


def _index(table: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Each line's name -> (its argument text, its classes), checked but for the types."""
    lines: dict[str, tuple[str, frozenset[str]]] = {}
    known = frozenset(CLASS_NAMES)
    # Lines share a few dozen class lists: each set built and checked once (this
    # runs at every start of traced: a set per line was two thirds of its ~1 ms).
    class_sets: dict[str, frozenset[str]] = {}
    for line in table.strip().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, class_spec = line.partition("|")
        name, _, arg_spec = head.strip().partition(" ")
        if name in lines:
            raise ValueError(f"{name} listed twice")
        classes = class_sets.get(class_spec)
        if classes is None:
            classes = class_sets[class_spec] = frozenset(class_spec.split())
            if unknown := classes - known:
                raise ValueError(f"{name}: unknown classes {sorted(unknown)}")
        lines[name] = (arg_spec, classes)
    return lines


class _Table(Mapping[str, Signature]):
    """A table's signatures, each parsed from its line when first looked up.

    Parsing all 700 lines costs every start of ``traced`` some 2 ms, and a launch
    looks up a few dozen of them.  Over a ``base`` (the x86_64 table, under i386's
    and aarch64's), the lines here replace the base's, with the base's classes."""

    def __init__(self, table: str, base: _Table | None = None) -> None:
        self._lines = _index(table)
        self._base = base
        self._parsed: dict[str, Signature] = {}
        self._names = list(self._lines)
        if base is not None:
            self._names = [*base, *(name for name in self._lines if name not in base)]

    def __getitem__(self, name: str) -> Signature:
        found = self._parsed.get(name)
        if found is None:
            found = self._parsed[name] = self._parse(name)
        return found

    def _parse(self, name: str) -> Signature:
        if name not in self._lines:
            if self._base is None:
                raise KeyError(name)
            return self._base[name]
        arg_spec, classes = self._lines[name]
        if self._base is not None and name in self._base:
            classes = self._base.classes_of(name)
        return Signature(name, _parse_args(arg_spec), classes)

    def classes_of(self, name: str) -> frozenset[str]:
        """A name's classes, without parsing its arguments."""
        return self._lines[name][1]

    def __contains__(self, name: object) -> bool:
        return name in self._lines or (self._base is not None and name in self._base)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


_x86_64 = _Table(_TABLE)
SIGNATURES: Mapping[str, Signature] = _x86_64
I386_SIGNATURES: Mapping[str, Signature] = _Table(_I386_TABLE, _x86_64)
AARCH64_SIGNATURES: Mapping[str, Signature] = _Table(_AARCH64_TABLE, _x86_64)
# Each ABI's table, by the ABI names traced.syscalls.arch uses (an Abi's ``name``).
NATIVE_ABI = "x86_64"  # the ABI meant where none is named
BY_ABI: dict[str, Mapping[str, Signature]] = {
    "x86_64": SIGNATURES,
    "x32": SIGNATURES,
    "i386": I386_SIGNATURES,
    "aarch64": AARCH64_SIGNATURES,
}


def _derive_classes() -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {cls: set() for cls in CLASS_NAMES}
    for name in _x86_64:
        for cls in _x86_64.classes_of(name):
            members[cls].add(name)
    # The unions, as strace defines them: %%stat is every stat flavour (and nothing
    # else); %%statfs adds ustat to the statfs flavours.
    members["%%stat"] |= members["%stat"] | members["%lstat"] | members["%fstat"]
    members["%%statfs"] |= members["%statfs"] | members["%fstatfs"]
    members["%network"] = members["%net"]
    return {cls: frozenset(names) for cls, names in members.items()}


CLASSES: dict[str, frozenset[str]] = _derive_classes()


def _generic(name: str) -> Signature:
    args = tuple(Arg(f"arg{i}", "hex") for i in range(6))
    return Signature(name, args, frozenset())


def signature(name: str, abi: str = NATIVE_ABI) -> Signature:
    """The signature of ``name`` as entered through ``abi`` (x86_64, x32, i386, aarch64).

    An unknown name (``syscall_0x14f`` ...) gets six ``hex`` arguments and no class,
    which is how strace prints a syscall it does not know; this never raises.
    """
    table = BY_ABI.get(abi, SIGNATURES)
    found = table.get(name)
    return found if found is not None else _generic(name)


@cache
def path_arg_indices(name: str, abi: str = NATIVE_ABI) -> tuple[int, ...]:
    """Positions (0-based register numbers) of the ``path`` arguments of ``name``."""
    args = signature(name, abi).args
    return tuple(i for i, arg in enumerate(args) if arg.type == "path")
