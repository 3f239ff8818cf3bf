/* traced.linux._kernel: the syscalls every tracee stop makes, called without ctypes.
 *
 * Kernel facts this module depends on:
 *
 * - ptrace(2) returns -1 and sets errno on failure.  PTRACE_PEEK* are not used here,
 *   so -1 is never a value.  Every request but SEIZE, INTERRUPT and KILL needs the
 *   tracee in a ptrace-stop; ESRCH means it left it (it was SIGKILLed) or is not ours.
 * - PTRACE_GET_SYSCALL_INFO (Linux 5.3) copies at most ``addr`` bytes of struct
 *   ptrace_syscall_info into ``data`` and returns the size the kernel has.  The struct:
 *   u8 op, u8 pad[3], u32 arch, u64 instruction_pointer, u64 stack_pointer, then a
 *   union: entry {u64 nr; u64 args[6]}, exit {s64 rval; u8 is_error},
 *   seccomp {u64 nr; u64 args[6]; u32 ret_data}.
 * - process_vm_readv(2) reads another process's memory without stopping it; a read
 *   that crosses into an unmapped page stops there (a short count), and one that
 *   starts in an unmapped page fails with EFAULT.  Reads are therefore made one
 *   page at a time, and a short one ends the read.
 *
 * Why C: these calls are made two or three times at every stop of every tracee,
 * and through ctypes each costs about 1.5 us of argument conversion on top of a
 * syscall of 0.3 us.  Nothing here decides anything: the module is a binding, as
 * the os module is, and every choice stays in Python (traced/linux/ptrace.py,
 * traced/linux/memory.py).  Errors are raised as OSError with errno, which those
 * modules turn into traced's typed errors.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif

#define PAGE 4096L

struct syscall_info {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t stack_pointer;
    union {
        struct { uint64_t nr; uint64_t args[6]; } entry;
        struct { int64_t rval; uint8_t is_error; } exit;
        struct { uint64_t nr; uint64_t args[6]; uint32_t ret_data; } seccomp;
    };
};

enum { OP_NONE = 0, OP_ENTRY = 1, OP_EXIT = 2, OP_SECCOMP = 3 };

static PyObject *
ptrace_request(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    /* ptrace(request, pid, addr, data) with integer addr and data: a restart's
     * signal, SEIZE's options, POKEUSER's word. */
    long values[4] = {0, 0, 0, 0};
    if (nargs < 2 || nargs > 4) {
        PyErr_SetString(PyExc_TypeError, "ptrace(request, pid, addr=0, data=0)");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) {
        values[i] = PyLong_AsLong(args[i]);
        if (values[i] == -1 && PyErr_Occurred())
            return NULL;
    }
    long result = ptrace((enum __ptrace_request)values[0], (pid_t)values[1],
                         (void *)values[2], (void *)values[3]);
    if (result == -1)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromLong(result);
}

static PyObject *
ptrace_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    /* ptrace(request, pid, addr, buffer) for requests that write a struct into
     * ``data`` (GETSIGINFO, GETEVENTMSG): its ``size`` bytes, as bytes. */
    long request, pid, addr;
    Py_ssize_t size;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "ptrace_read(request, pid, addr, size)");
        return NULL;
    }
    request = PyLong_AsLong(args[0]);
    pid = PyLong_AsLong(args[1]);
    addr = PyLong_AsLong(args[2]);
    size = PyLong_AsSsize_t(args[3]);
    if (PyErr_Occurred())
        return NULL;
    if (size < 0 || size > 4096) {
        PyErr_SetString(PyExc_ValueError, "size must be 0..4096");
        return NULL;
    }
    char buffer[4096];
    memset(buffer, 0, (size_t)size);
    if (ptrace((enum __ptrace_request)request, (pid_t)pid, (void *)addr, buffer) == -1)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyBytes_FromStringAndSize(buffer, size);
}

static PyObject *
syscall_info(PyObject *self, PyObject *arg)
{
    /* PTRACE_GET_SYSCALL_INFO as (op, arch, nr, args, rval, is_error, ret_data):
     * the fields the op does not have are -1, (), 0, False, 0. */
    long pid = PyLong_AsLong(arg);
    if (pid == -1 && PyErr_Occurred())
        return NULL;
    struct syscall_info info;
    memset(&info, 0, sizeof info);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, (pid_t)pid, (void *)sizeof info, &info) == -1)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (info.op == OP_ENTRY || info.op == OP_SECCOMP) {
        const uint64_t *a = info.entry.args;
        uint32_t data = info.op == OP_SECCOMP ? info.seccomp.ret_data : 0;
        return Py_BuildValue("(iIK(KKKKKK)iOI)", info.op, info.arch,
                             (unsigned long long)info.entry.nr,
                             (unsigned long long)a[0], (unsigned long long)a[1],
                             (unsigned long long)a[2], (unsigned long long)a[3],
                             (unsigned long long)a[4], (unsigned long long)a[5],
                             0, Py_False, data);
    }
    if (info.op == OP_EXIT)
        return Py_BuildValue("(iIi()LOI)", info.op, info.arch, -1,
                             (long long)info.exit.rval,
                             info.exit.is_error ? Py_True : Py_False, 0u);
    return Py_BuildValue("(iIi()iOI)", info.op, info.arch, -1, 0, Py_False, 0u);
}

static ssize_t
read_within_page(pid_t pid, uintptr_t at, char *into, Py_ssize_t most, Py_ssize_t *step)
{
    /* One process_vm_readv of up to ``most`` bytes that does not cross a page
     * boundary; ``*step`` is what it asked for, so that a short count says the
     * mapping ends there. */
    *step = PAGE - (Py_ssize_t)(at % PAGE);
    if (*step > most)
        *step = most;
    struct iovec local = {into, (size_t)*step};
    struct iovec remote = {(void *)at, (size_t)*step};
    return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

static Py_ssize_t
read_page_bounded(pid_t pid, uintptr_t address, char *into, Py_ssize_t size)
{
    /* Up to ``size`` bytes, one page at a time; a short read ends it.  Returns the
     * count, or -1 with errno set if not even the first byte could be read. */
    Py_ssize_t done = 0, step;
    while (done < size) {
        ssize_t count = read_within_page(pid, address + (uintptr_t)done, into + done,
                                         size - done, &step);
        if (count < 0)
            return done > 0 ? done : -1;
        done += count;
        if (count < step)
            break;
    }
    return done;
}

static int
read_arguments(PyObject *const *args, Py_ssize_t nargs, const char *usage, pid_t *pid,
               uintptr_t *address, Py_ssize_t *size)
{
    /* The (pid, address, size) both reads take; -1 with an exception set if wrong. */
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, usage);
        return -1;
    }
    *pid = (pid_t)PyLong_AsLong(args[0]);
    *address = (uintptr_t)PyLong_AsUnsignedLongLongMask(args[1]);
    *size = PyLong_AsSsize_t(args[2]);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *
read_memory(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    /* read_memory(pid, address, size) -> up to ``size`` bytes, shorter where the
     * mapping ends; OSError if none can be read. */
    pid_t pid;
    uintptr_t address;
    Py_ssize_t size;
    if (read_arguments(args, nargs, "read_memory(pid, address, size)", &pid, &address, &size) < 0)
        return NULL;
    if (size <= 0)
        return PyBytes_FromStringAndSize(NULL, 0);
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, size);
    if (bytes == NULL)
        return NULL;
    Py_ssize_t count = read_page_bounded(pid, address, PyBytes_AS_STRING(bytes), size);
    if (count < 0) {
        Py_DECREF(bytes);
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    if (count < size && _PyBytes_Resize(&bytes, count) < 0)
        return NULL;
    return bytes;
}

static PyObject *
read_cstring(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    /* read_cstring(pid, address, limit) -> the NUL-terminated string at ``address``
     * without its NUL, at most ``limit`` bytes; OSError if memory ends before both. */
    pid_t pid;
    uintptr_t address;
    Py_ssize_t limit;
    if (read_arguments(args, nargs, "read_cstring(pid, address, limit)", &pid, &address, &limit) < 0)
        return NULL;
    char page[PAGE];
    PyObject *chunks = NULL; /* only for a string longer than its first page */
    Py_ssize_t total = 0, step;
    while (total < limit) {
        uintptr_t at = address + (uintptr_t)total;
        ssize_t count = read_within_page(pid, at, page, limit - total, &step);
        if (count < 0) {
            /* Unreadable before its NUL: no string at all, as strace's umovestr has
             * it (it prints the address), not the readable part taken for a whole. */
            int saved = errno;
            Py_XDECREF(chunks);
            errno = saved;
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        char *nul = memchr(page, 0, (size_t)count);
        Py_ssize_t keep = nul ? (Py_ssize_t)(nul - page) : (Py_ssize_t)count;
        if (chunks == NULL && (nul || count < step))
            return PyBytes_FromStringAndSize(page, keep); /* the usual case */
        if (chunks == NULL && (chunks = PyList_New(0)) == NULL)
            return NULL;
        PyObject *chunk = PyBytes_FromStringAndSize(page, keep);
        if (chunk == NULL || PyList_Append(chunks, chunk) < 0) {
            Py_XDECREF(chunk);
            Py_DECREF(chunks);
            return NULL;
        }
        Py_DECREF(chunk);
        total += count;
        if (nul || count < step)
            break;
    }
    if (chunks == NULL)
        return PyBytes_FromStringAndSize(NULL, 0);
    PyObject *empty = PyBytes_FromStringAndSize(NULL, 0);
    PyObject *joined = empty ? _PyBytes_Join(empty, chunks) : NULL;
    Py_XDECREF(empty);
    Py_DECREF(chunks);
    return joined;
}

static PyMethodDef methods[] = {
    {"ptrace", (PyCFunction)(void (*)(void))ptrace_request, METH_FASTCALL,
     "ptrace(request, pid, addr=0, data=0) -> int, with integer addr and data."},
    {"ptrace_read", (PyCFunction)(void (*)(void))ptrace_read, METH_FASTCALL,
     "ptrace_read(request, pid, addr, size) -> the bytes the request wrote to data."},
    {"syscall_info", syscall_info, METH_O,
     "syscall_info(pid) -> (op, arch, nr, args, rval, is_error, ret_data)."},
    {"read_memory", (PyCFunction)(void (*)(void))read_memory, METH_FASTCALL,
     "read_memory(pid, address, size) -> bytes, shorter where the mapping ends."},
    {"read_cstring", (PyCFunction)(void (*)(void))read_cstring, METH_FASTCALL,
     "read_cstring(pid, address, limit) -> the NUL-terminated string, without its NUL."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernel",
    "The syscalls of every tracee stop (ptrace, process_vm_readv), without ctypes.",
    -1, methods,
};

PyMODINIT_FUNC
PyInit__kernel(void)
{
    return PyModule_Create(&module);
}
