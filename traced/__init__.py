"""traced: a seccomp-bpf accelerated syscall tracer that streams JSON events."""

__version__ = "0.1.0"
