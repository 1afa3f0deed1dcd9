import Foundation
import Pipeline
import Tensor

/// `fault`, for tests of the runner only (registered when `PLEINAIR_TEST_KINDS=1`): sets the
/// OpenBLAS thread count it was given, holds some memory, burns some CPU, then reports what its
/// process saw, or crashes the way it is asked to (abort, segfault), as a numeric stage might.
package struct FaultStage: Stage {
    package init() {}

    package enum Mode: String, ParamChoice { case none, abort, segv }

    static let mode = Param<Mode>("mode", default: Mode.none, doc: "how to end: normally, by abort(), or by a segmentation fault")
    static let megabytes = Param<Int>("megabytes", default: 0, rule: .atLeast(0), doc: "memory to allocate and touch")
    static let cpuSeconds = Param<Double>("cpu_seconds", default: 0, rule: .atLeast(0), doc: "CPU time to burn")
    static let holdSeconds = Param<Double>("hold_seconds", default: 0, rule: .atLeast(0),
                                           doc: "wall time to wait before reading the thread count back (lets stages overlap)")

    package var descriptor: StageDescriptor {
        StageDescriptor(kind: "fault", version: 1, summary: "test-only: threads, memory, CPU time and crashes of a stage process",
                        params: [Self.mode.spec, Self.megabytes.spec, Self.cpuSeconds.spec, Self.holdSeconds.spec],
                        inputs: [], outputs: ["report"], metrics: { _ in MetricDeclaration.bookkeeping("blas_threads", "pid") })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        BLASKernel.setThreadCount(max(1, context.threads))
        let bytes = p[Self.megabytes] << 20
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 4096)
        defer { memory.deallocate() }
        for offset in stride(from: 0, to: bytes, by: 4096) { memory.storeBytes(of: UInt8(offset & 0xff), toByteOffset: offset, as: UInt8.self) }
        let start = Self.processCPUSeconds()
        var sink = 0.0
        while Self.processCPUSeconds() - start < p[Self.cpuSeconds] { sink += sin(sink + 1) }
        Thread.sleep(forTimeInterval: p[Self.holdSeconds])
        context.log.progress(0.5, "halfway")
        let threads = BLASKernel.threadCount
        context.log.write("fault: OpenBLAS threads \(threads), pid \(getpid()), \(p[Self.megabytes]) MB held")
        switch p[Self.mode] {
        case .abort: abort()
        case .segv: UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1  // a real fault: raise() would return
        case .none: break
        }
        try Data("threads \(threads)\npid \(getpid())\n\(sink)\n".utf8).write(to: try context.output("report"))
        return StageResult(metrics: [Metric(name: "blas_threads", value: Double(threads)), Metric(name: "pid", value: Double(getpid()))])
    }

    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
