import Basics
import Foundation

/// Runs a child process in its own process group with output to a file descriptor, and reports
/// its exit status (128+signal when killed) with the CPU time and peak memory it used.
package enum ChildProcess {
    /// `channel`, when given, becomes the child's descriptor 3 (a pipe's write end, say); it is closed here.
    package static func run(_ argv: [String], environment extra: [String: String], logFD: Int32, channel: Int32? = nil,
                           cancellation: Cancellation) throws -> (status: Int32, cost: ExecutionCost) {
        markDescriptorsCloseOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if logFD >= 0 {
            posix_spawn_file_actions_adddup2(&actions, logFD, 1)
            posix_spawn_file_actions_adddup2(&actions, logFD, 2)
        }
        if let channel { posix_spawn_file_actions_adddup2(&actions, channel, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The controller ignores SIGINT/SIGTERM (it turns them into a cancellation); ignored signals
        // are inherited through exec, so restore their defaults and an empty mask in the child.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)

        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        if let channel { close(channel) }  // the child holds it now: its exit is the reader's end of file
        guard rc == 0 else { throw StageFailure.message("cannot start \(argv[0]): \(errnoMessage(rc))") }
        let group = pid
        let token = cancellation.onCancel {
            kill(-group, SIGTERM)
            // A command that ignores SIGTERM is killed after a grace period.
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { kill(-group, SIGKILL) }
        }
        defer { cancellation.remove(token) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR { throw StageFailure.message("waiting for \(argv[0]) failed: \(errnoMessage())") }
        }
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let cost = ExecutionCost(cpuSeconds: cpu, peakRSSKB: Int(usage.ru_maxrss))
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), cost)
    }

    /// A child must inherit nothing but stdin/stdout/stderr: an inherited pipe or lock would keep
    /// the parent's readers waiting, or the workspace locked, for as long as an orphan lives.
    private static func markDescriptorsCloseOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
