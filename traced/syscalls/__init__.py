"""Syscall knowledge kept as data: numbers per ABI, and which arguments are paths."""
