"""C++ symbol names as their source spells them, by libstdc++'s ``__cxa_demangle``.

strace -k prints a frame's symbol through libiberty's ``cplus_demangle`` (with
DMGL_AUTO | DMGL_PARAMS) when it was built with stack-demangle, as Debian's 6.1
is: an Itanium C++ name (``_Z...``) becomes ``ns::f3(int)``, any other name stays
as it is.  ``__cxa_demangle`` is the same demangler (libiberty's cp-demangle),
and libstdc++ is wherever a C++ program runs; without it the names stay mangled.
Imported only to print a stack (-k) that holds such a name.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable

from traced.linux.libc import libc

_Demangler = Callable[[bytes, None, None, "ctypes._Pointer[ctypes.c_int]"], int | None]


@functools.cache
def _cxa_demangle() -> _Demangler | None:
    try:
        lib = ctypes.CDLL("libstdc++.so.6")
    except OSError:
        return None
    function = lib.__cxa_demangle
    function.restype = ctypes.c_void_p  # malloc'd: freed here, so not c_char_p
    function.argtypes = (ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    libc.free.argtypes = (ctypes.c_void_p,)
    libc.free.restype = None
    demangler: _Demangler = function
    return demangler


@functools.lru_cache(maxsize=4096)
def demangled(name: str) -> str:
    """``name`` demangled if it is a C++ one, else as it is."""
    demangle = _cxa_demangle() if name.startswith("_Z") else None
    if demangle is None:
        return name
    status = ctypes.c_int(0)
    result = demangle(name.encode("utf-8", "surrogateescape"), None, None, ctypes.pointer(status))
    if not result or status.value != 0:
        return name
    try:
        return ctypes.string_at(result).decode("utf-8", "backslashreplace")
    finally:
        libc.free(result)
