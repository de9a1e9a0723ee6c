// Thin C shims for Linux system calls Swift cannot reach: `syscall(2)` is variadic, so
// `openat2(2)` (which glibc 2.36 does not wrap) needs one C function.
#ifndef CPADDOCKSYS_H
#define CPADDOCKSYS_H

#include <stdint.h>

/// Resolution flags of `openat2(2)` (`struct open_how.resolve`), the kernel's stable values.
enum {
    /// Refuse to cross a mount point.
    PADDOCK_RESOLVE_NO_XDEV = 0x01,
    /// Refuse procfs magic links (`/proc/<pid>/fd/<n>`, `/proc/<pid>/root`, ...).
    PADDOCK_RESOLVE_NO_MAGICLINKS = 0x02,
    /// Refuse every symlink.
    PADDOCK_RESOLVE_NO_SYMLINKS = 0x04,
    /// Refuse to resolve outside the directory (`..` or an absolute symlink fails with EXDEV).
    PADDOCK_RESOLVE_BENEATH = 0x08,
    /// Treat the directory as `/`: `..` and absolute symlinks stay inside it.
    PADDOCK_RESOLVE_IN_ROOT = 0x10,
};

/// `O_PATH` (a GNU extension the Swift Glibc module does not show): a descriptor that only
/// names a file, for resolution and `fstat`, without opening it for I/O.
extern const int paddock_o_path;

/// `openat2(dirfd, path, &{flags, mode, resolve}, sizeof)`: returns a descriptor, or -1 with
/// `errno` set (ENOSYS on kernels before 5.6).
int paddock_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

#endif
