import Foundation
import Tensor
import TestSupport
import XCTest

final class BLASKernelTests: XCTestCase {
    func testPreferredCoreTypeReadsCPUFlags() {
        XCTAssertEqual(BLASKernel.preferredCoreType(cpuinfo: "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f fma\n"), "SkylakeX")
        XCTAssertEqual(BLASKernel.preferredCoreType(cpuinfo: "flags\t\t: fpu sse avx avx2 fma\n"), "Haswell")
        XCTAssertNil(BLASKernel.preferredCoreType(cpuinfo: "flags\t\t: fpu sse sse2\n"))
        XCTAssertNil(BLASKernel.preferredCoreType(cpuinfo: "no flags here"))
    }

    func testReexecEnvironmentAddsTheKernelOnlyWhenMissing() {
        let avx512 = "flags\t\t: avx2 avx512f\n"
        XCTAssertEqual(BLASKernel.environmentForPreferredKernel(["PATH": "/bin"], cpuinfo: avx512),
                       ["PATH": "/bin", "OPENBLAS_CORETYPE": "SkylakeX"])
        XCTAssertNil(BLASKernel.environmentForPreferredKernel(["OPENBLAS_CORETYPE": "Haswell"], cpuinfo: avx512))
        XCTAssertNil(BLASKernel.environmentForPreferredKernel([:], cpuinfo: "flags\t\t: sse2\n"))
    }

    func testOpenBLASRunsTheKernelTheEnvironmentNames() throws {
        let wanted = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""
        try Requirement.blasKernel.check(!wanted.isEmpty, "no OPENBLAS_CORETYPE: run tests after `source scripts/blas-env.sh`", in: self)
        XCTAssertEqual(BLASKernel.coreName.lowercased(), wanted.lowercased())
    }

    func testThreadCountIsSettable() {
        let before = BLASKernel.threadCount
        BLASKernel.setThreadCount(1)
        XCTAssertEqual(BLASKernel.threadCount, 1)
        BLASKernel.setThreadCount(before)
    }
}
