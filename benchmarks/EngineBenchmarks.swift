import Basics
import COpenBLAS
import Foundation
import NN
import Tensor
import CycleGAN

/// Engine benchmarks (issue 3): conv2d against raw sgemm on the same shapes, one CycleGAN generator
/// training step against PyTorch 1.13 at the same thread count, and that step's peak memory.
/// Prints ratios measured in one run; absolute times on the shared machine drift ±30%.
func runEngineBenchmarks() {
    let threads = BLASKernel.threadCount
    print("engine: OpenBLAS kernel \(BLASKernel.coreName), \(threads) thread(s)" +
          (BLASKernel.coreTypeIsSet ? "" : " (OPENBLAS_CORETYPE unset: source scripts/blas-env.sh)"))
    // PLEINAIR_BENCH_NO_TORCH=1 skips the PyTorch baseline (profiling this process alone).
    let withTorch = ProcessInfo.processInfo.environment["PLEINAIR_BENCH_NO_TORCH"] == nil
    // The generator step goes before the conv shapes so its peak-memory figure starts from a
    // process that has not yet grown its heap for other work.
    benchmarkGeneratorStep(threads: threads, withTorch: withTorch)
    if threads > 1 {
        // One thread each: the comparison least distorted by spinning thread pools on busy cores.
        BLASKernel.setThreadCount(1)
        benchmarkGeneratorStep(threads: 1, withTorch: withTorch, measureMemory: false)
        BLASKernel.setThreadCount(threads)
    }
    benchmarkConvAgainstGemm()
}

/// The conv-vs-sgemm shapes alone (`pleinair-bench conv`), for profiling the convolution routes.
func runConvBenchmarks() {
    print("conv: OpenBLAS kernel \(BLASKernel.coreName), \(BLASKernel.threadCount) thread(s)")
    benchmarkConvAgainstGemm()
}

/// Fastest and median wall time of `body` in milliseconds after `warmup` untimed runs. The fastest
/// run is the figure least disturbed by other work on a shared machine, so ratios use it.
private func timeMilliseconds(runs: Int, warmup: Int = 2, _ body: () -> Void) -> (fastest: Double, median: Double) {
    for _ in 0..<warmup { body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return (times[0], times[runs / 2])
}

private func benchmarkConvAgainstGemm() {
    // Shapes from the generator at 128×128, ngf 32: stem, downsampling, residual block, output conv.
    let cases: [(String, [Int], [Int], Int, Int)] = [
        ("7x7 3->32 @134", [1, 3, 134, 134], [32, 3, 7, 7], 1, 0),
        ("3x3 s2 32->64 @128", [1, 32, 128, 128], [64, 32, 3, 3], 2, 1),
        ("3x3 128->128 @34", [1, 128, 34, 34], [128, 128, 3, 3], 1, 0),
        ("7x7 32->3 @134", [1, 32, 134, 134], [3, 32, 7, 7], 1, 0),
    ]
    var rng = SeededGenerator(seed: 0)
    var convTotal = 0.0, gemmTotal = 0.0, lowest = Double.infinity
    print("conv2d forward+backward vs the three sgemm calls of plain im2col convolution (forward, weight grad, column grad):")
    for (name, xShape, wShape, stride, padding) in cases {
        let x = Tensor.randomNormal(xShape, generator: &rng, requiresGrad: true)
        let w = Tensor.randomNormal(wShape, std: 0.05, generator: &rng, requiresGrad: true)
        let b = Tensor(zeros: [wShape[0]], requiresGrad: true)
        let convRun = {
            let y = x.conv2d(weight: w, bias: b, stride: stride, padding: padding)
            y.backward(y.detached())
            x.grad = nil; w.grad = nil; b.grad = nil
        }
        let y = GradMode.withoutGradient { x.conv2d(weight: w, stride: stride, padding: padding) }
        let m = wShape[0], k = wShape[1] * wShape[2] * wShape[3], n = y.shape[2] * y.shape[3]
        let a = Tensor(zeros: [m, k]), col = Tensor(zeros: [k, n]), out = Tensor(zeros: [m, n])
        let gemmRun = {
            let (M, N, K) = (Int32(m), Int32(n), Int32(k))
            // forward [m,k]·[k,n]; weight grad [m,n]·[n,k]ᵀ; column grad [k,m]ᵀ·[m,n]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1, a.pointer, K, col.pointer, N, 0, out.pointer, N)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, K, N, 1, out.pointer, N, col.pointer, N, 0, a.pointer, K)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, M, 1, a.pointer, K, out.pointer, N, 0, col.pointer, N)
        }
        // Alternating the two, so a change in the shared machine's speed cannot favour either.
        for _ in 0..<2 { convRun(); gemmRun() }
        var conv = Double.infinity, gemm = Double.infinity
        for _ in 0..<15 {
            conv = min(conv, Bench.time(convRun) * 1000)
            gemm = min(gemm, Bench.time(gemmRun) * 1000)
        }
        convTotal += conv; gemmTotal += gemm
        lowest = min(lowest, gemm / conv)
        print(String(format: "  %-20@ conv %7.2f ms  sgemm %7.2f ms (fastest of 15, alternating)  fraction of sgemm throughput %5.1f%%",
                     name as NSString, conv, gemm, 100 * gemm / conv))
    }
    print(String(format: "  all shapes: %.1f%% of sgemm throughput, lowest single shape %.1f%%", 100 * gemmTotal / convTotal, 100 * lowest)
          + " (\(Bench.goal("engine.conv_lowest_pct_of_sgemm", 100 * lowest, goal: 70, .higher, unit: "%")))")
}

/// `measureMemory` only on the first call: later ones start from a heap the first already grew.
private func benchmarkGeneratorStep(threads: Int, withTorch: Bool, measureMemory: Bool = true) {
    ProcessMemory.resetPeak()
    let baseline = ProcessMemory.residentMiB()
    var rng = SeededGenerator(seed: 0)
    let g = ResnetGenerator(ngf: 32, blocks: 6, generator: &rng)
    let adam = Adam(parameters: g.parameters, learningRate: 2e-4, beta1: 0.5)
    let x = Tensor.randomUniform([1, 3, 128, 128], low: -1, high: 1, generator: &rng)
    let target = Tensor.randomUniform([1, 3, 128, 128], low: -1, high: 1, generator: &rng)
    let step = {
        adam.zeroGrad()
        l1Loss(g(x), target).backward()
        adam.step()
    }
    // Rounds alternate with PyTorch's so that load from other work on the shared machine falls on
    // both sides; each side's fastest step over all rounds is compared.
    // The no-grad forward is timed in every round too, so that both figures alternate with PyTorch's.
    var ours: [Double] = [], forwards: [Double] = [], theirs: [TorchBaseline.Result] = []
    var peak = 0.0
    for round in 0..<3 {
        let t = timeMilliseconds(runs: 6, warmup: round == 0 ? 3 : 1, step)
        ours.append(t.fastest)
        if round == 0 { peak = ProcessMemory.peakMiB() - baseline }
        forwards.append(timeMilliseconds(runs: 10) { _ = GradMode.withoutGradient { g(x) } }.fastest)
        if withTorch, let r = TorchBaseline.generatorStep(threads: threads) { theirs.append(r) }
    }
    let forwardFastest = forwards.min()!
    let fastest = ours.min()!
    let state = Double(g.parameters.reduce(0) { $0 + $1.count } * 4 * 4) / 1_048_576
    print(String(format: "generator step (ngf 32, 6 blocks, 128x128, batch 1, Adam, %d thread(s)): PleinAir %.1f ms fastest of 3 rounds",
                 threads, fastest))
    print(String(format: "  no-grad forward alone (translation): %.1f ms fastest of 3 rounds", forwardFastest))
    if measureMemory {
        print(String(format: "  peak memory of the step: %.1f MiB above the process baseline (weights, grads, Adam moments: %.1f MiB)",
                     peak, state))
    }
    guard let torchStep = theirs.map(\.milliseconds).min(), let torchForward = theirs.map(\.forward).min() else {
        print("  PyTorch baseline unavailable (needs /usr/bin/python3 with torch)")
        return
    }
    print(String(format: "  PyTorch 1.13: %.1f ms fastest of %d rounds, no-grad forward %.1f ms, peak RSS %.1f MiB (whole interpreter), %d thread(s)",
                 torchStep, theirs.count, torchForward, theirs.map(\.peakMiB).max()!, threads))
    // Issue 30: both ≤ 0.65 of PyTorch's, at 1 and at 2 threads.
    let stepGoal = Bench.goal("engine.step_vs_torch_\(threads)t", fastest / torchStep, goal: 0.65, .lower)
    let noGrad = Bench.goal("engine.forward_vs_torch_\(threads)t", forwardFastest / torchForward, goal: 0.65, .lower)
    print(String(format: "  ratio PleinAir/PyTorch: training step %.2f", fastest / torchStep) + " (\(stepGoal)), "
          + String(format: "no-grad forward %.2f", forwardFastest / torchForward) + " (\(noGrad))")
}

/// Reads this process's memory figures from /proc (Linux); zero elsewhere.
enum ProcessMemory {
    static func field(_ name: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    static func residentMiB() -> Double { field("VmRSS") }
    static func peakMiB() -> Double { field("VmHWM") }
    /// Writing 5 to clear_refs resets VmHWM to the current RSS, so the peak covers only what follows.
    static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
}

/// Runs benchmarks/torch_generator_step.py and parses its one result line.
enum TorchBaseline {
    struct Result { let milliseconds: Double, median: Double, forward: Double, peakMiB: Double }

    static func generatorStep(threads: Int) -> Result? {
        let python = "/usr/bin/python3", script = "benchmarks/torch_generator_step.py"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--threads", "\(threads)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var values: [String: Double] = [:]
        for pair in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let v = Double(kv[1]) { values[String(kv[0])] = v }
        }
        guard let ms = values["torch_step_ms"] else { return nil }
        return Result(milliseconds: ms, median: values["torch_median_ms"] ?? ms,
                      forward: values["torch_forward_ms"] ?? .nan, peakMiB: values["peak_rss_mb"] ?? 0)
    }
}
