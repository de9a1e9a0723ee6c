/// The seccomp profile of every session: Docker's default profile (moby
/// `profiles/seccomp/default.json`) as it applies to a container holding exactly
/// ``SessionHardening/capabilities`` on amd64/arm64, minus `io_uring_*`, `ptrace` and
/// `process_vm_*`.
///
/// Anything not allowed fails with `EPERM`; ``refusedSyscalls`` names the dangerous calls this
/// profile must never allow, and building the profile checks that it does not.
public enum SeccompProfile {
    /// Calls allowed unconditionally. 32-bit names (`chown32`...) cover the compat ABIs; names
    /// unknown to the host's libseccomp are skipped by runc (newer calls then get `ENOSYS`, so
    /// libc falls back to the older call).
    public static let allowedSyscalls: [String] = [
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget",
        "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
        "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
        "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
        "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
        "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
        "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
        "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
        "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
        "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
        "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
        "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd",
        "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
        "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp",
        "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
        "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
        "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
        "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
        "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
        "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create",
        "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
        "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
        "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
        "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
        "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
        "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
        "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
        "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
        "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv",
        "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
        "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
        "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
        "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity",
        "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
        "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
        "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32",
        "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
        "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
        "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid",
        "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat",
        "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
        "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs",
        "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo",
        "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
        "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
        "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
        "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
        "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
        "writev",
    ]

    /// Calls allowed on x86 only (`arch_prctl` sets the TLS register; `modify_ldt` is used by
    /// old 32-bit runtimes).
    public static let x86Syscalls = ["arch_prctl", "modify_ldt"]

    /// Calls allowed because the session holds the capability that guards them.
    public static let capabilityGuardedSyscalls: [Capability: [String]] = [.sysChroot: ["chroot"]]

    /// Calls this profile must never allow: kernel attack surface (`io_uring_*`, `bpf`,
    /// `userfaultfd`, keyrings, `perf_event_open`), mounts and namespaces (old and new mount
    /// API, `unshare`, `setns`), tracing other processes, and host administration.
    public static let refusedSyscalls: [String] = [
        "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "userfaultfd", "keyctl",
        "add_key", "request_key", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "mount_setattr", "mount", "umount", "umount2", "pivot_root", "unshare",
        "setns", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "create_module", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
        "reboot", "swapon", "swapoff", "acct", "perf_event_open", "open_by_handle_at", "quotactl",
        "quotactl_fd", "lookup_dcookie", "syslog", "settimeofday", "clock_settime", "stime",
        "sethostname", "setdomainname", "iopl", "ioperm", "vhangup", "fanotify_init", "nfsservctl",
        "uselib", "_sysctl", "get_mempolicy", "set_mempolicy", "mbind", "move_pages",
    ]

    /// `AF_VSOCK`: `socket` is allowed for every address family but this one.
    static let addressFamilyVsock: UInt64 = 40

    /// The clone flags that create namespaces (`CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC |
    /// NEWUSER | NEWPID | NEWNET`); `clone` is allowed only with none of them set.
    public static let namespaceCloneFlags: UInt64 = 0x7E02_0000

    /// `personality` values allowed: `PER_LINUX`, `PER_LINUX32`, `UNAME26`, `PER_LINUX32|UNAME26`
    /// and the query `0xffffffff`.
    public static let allowedPersonalities: [UInt64] = [0x0, 0x8, 0x20000, 0x20008, 0xFFFF_FFFF]

    /// `ENOSYS`, returned for `clone3` so that libc falls back to `clone` (whose flags a filter
    /// can inspect; `clone3`'s live in memory).
    static let enosys: UInt32 = 38

    /// `EPERM`, the errno of every refused call.
    static let eperm: UInt32 = 1

    /// The profile for a container holding `capabilities`, covering `architectures`.
    ///
    /// - Precondition: no rule allows a name in ``refusedSyscalls`` (checked; a violation is a bug).
    public static func make(
        capabilities: [Capability] = SessionHardening.capabilities,
        architectures: [OCI.SeccompArchitecture] = OCI.SeccompArchitecture.native
    ) -> OCI.Seccomp {
        var unconditional = allowedSyscalls
        if architectures.contains(.x86_64) || architectures.contains(.x86) {
            unconditional += x86Syscalls
        }
        for capability in capabilities.sorted() {
            unconditional += capabilityGuardedSyscalls[capability] ?? []
        }
        var rules = [OCI.SeccompRule(names: unconditional, action: .allow)]
        rules.append(OCI.SeccompRule(
            names: ["socket"], action: .allow,
            args: [OCI.SeccompArgument(index: 0, value: addressFamilyVsock, op: .notEqual)]))
        for personality in allowedPersonalities {
            rules.append(OCI.SeccompRule(
                names: ["personality"], action: .allow,
                args: [OCI.SeccompArgument(index: 0, value: personality, op: .equal)]))
        }
        rules.append(OCI.SeccompRule(
            names: ["clone"], action: .allow,
            args: [OCI.SeccompArgument(index: 0, value: namespaceCloneFlags, valueTwo: 0, op: .maskedEqual)]))
        rules.append(OCI.SeccompRule(names: ["clone3"], action: .errno, errnoRet: enosys))

        let refused = Set(refusedSyscalls)
        let leaked = rules.filter { $0.action == .allow }.flatMap(\.names).filter(refused.contains)
        precondition(leaked.isEmpty, "seccomp profile allows refused calls: \(leaked)")
        return OCI.Seccomp(
            defaultAction: .errno, defaultErrnoRet: eperm, architectures: architectures, syscalls: rules)
    }
}
