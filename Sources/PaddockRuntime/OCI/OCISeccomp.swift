extension OCI {
    /// A seccomp filter: a default action and rules that override it for named system calls.
    public struct Seccomp: Codable, Sendable, Equatable {
        /// What happens to a system call no rule matches.
        public var defaultAction: SeccompAction
        /// The errno returned by `defaultAction` when it is ``SeccompAction/errno``.
        public var defaultErrnoRet: UInt32?
        /// The ABIs the filter covers; calls from other ABIs are killed by runc's filter.
        public var architectures: [SeccompArchitecture]?
        /// The rules, matched in order.
        public var syscalls: [SeccompRule]?

        /// Creates a filter.
        public init(
            defaultAction: SeccompAction, defaultErrnoRet: UInt32? = nil,
            architectures: [SeccompArchitecture]? = nil, syscalls: [SeccompRule]? = nil
        ) {
            self.defaultAction = defaultAction
            self.defaultErrnoRet = defaultErrnoRet
            self.architectures = architectures
            self.syscalls = syscalls
        }
    }

    /// The action of a seccomp rule, named as libseccomp names it.
    public enum SeccompAction: String, Codable, Sendable, CaseIterable {
        /// Let the call through.
        case allow = "SCMP_ACT_ALLOW"
        /// Fail the call with an errno (`errnoRet`, default `EPERM`).
        case errno = "SCMP_ACT_ERRNO"
        /// Kill the calling thread.
        case killThread = "SCMP_ACT_KILL_THREAD"
        /// Kill the whole process.
        case killProcess = "SCMP_ACT_KILL_PROCESS"
        /// Send `SIGSYS`.
        case trap = "SCMP_ACT_TRAP"
        /// Allow the call and log it.
        case log = "SCMP_ACT_LOG"
    }

    /// A system-call ABI, named as libseccomp names it.
    public enum SeccompArchitecture: String, Codable, Sendable, CaseIterable {
        /// 64-bit x86.
        case x86_64 = "SCMP_ARCH_X86_64"
        /// 32-bit x86 (the `int 0x80` ABI of an x86-64 kernel).
        case x86 = "SCMP_ARCH_X86"
        /// The x32 ABI.
        case x32 = "SCMP_ARCH_X32"
        /// 64-bit ARM.
        case aarch64 = "SCMP_ARCH_AARCH64"
        /// 32-bit ARM.
        case arm = "SCMP_ARCH_ARM"

        /// The ABIs of the machine this code was compiled for, native first (what Docker lists).
        public static var native: [SeccompArchitecture] {
            #if arch(arm64)
            [.aarch64, .arm]
            #else
            [.x86_64, .x86, .x32]
            #endif
        }
    }

    /// How a rule compares one system-call argument.
    public enum SeccompOperator: String, Codable, Sendable, CaseIterable {
        /// `arg != value`.
        case notEqual = "SCMP_CMP_NE"
        /// `arg < value`.
        case lessThan = "SCMP_CMP_LT"
        /// `arg <= value`.
        case lessOrEqual = "SCMP_CMP_LE"
        /// `arg == value`.
        case equal = "SCMP_CMP_EQ"
        /// `arg >= value`.
        case greaterOrEqual = "SCMP_CMP_GE"
        /// `arg > value`.
        case greaterThan = "SCMP_CMP_GT"
        /// `arg & value == valueTwo`.
        case maskedEqual = "SCMP_CMP_MASKED_EQ"
    }

    /// A condition on one argument of a system call.
    public struct SeccompArgument: Codable, Sendable, Equatable {
        /// The argument's position, from 0.
        public var index: UInt32
        /// The operand (the mask, for ``SeccompOperator/maskedEqual``).
        public var value: UInt64
        /// The second operand (the expected masked value).
        public var valueTwo: UInt64?
        /// The comparison.
        public var op: SeccompOperator

        /// Creates an argument condition.
        public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: SeccompOperator) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }

    /// A rule: these system calls, when all `args` conditions hold, get `action`.
    public struct SeccompRule: Codable, Sendable, Equatable {
        /// System-call names; names the installed libseccomp does not know are skipped by runc.
        public var names: [String]
        /// The action.
        public var action: SeccompAction
        /// The errno for ``SeccompAction/errno``.
        public var errnoRet: UInt32?
        /// Conditions that must all hold.
        public var args: [SeccompArgument]?

        /// Creates a rule.
        public init(names: [String], action: SeccompAction, errnoRet: UInt32? = nil, args: [SeccompArgument]? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }
}
