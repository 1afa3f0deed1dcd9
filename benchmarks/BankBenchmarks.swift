import Basics
import Foundation
import Imaging
import NN
import Pipeline
import Tensor
import CycleGAN
import Retrieval

/// `pleinair-bench bank [--quick]` (issue 16): the method's memory banks at paper size on this
/// machine. Demo photographs rendered at 256×256 stand in for monet2photo's 6,287 training photos
/// (the same patch counts: 10.6 M, 15.7 M and 25.8 M patches at 16/6, 8/5, 4/4); `--quick` uses an
/// eighth of them. An experiment (`memory_bank` → `ann_index`, every patch, default parameters) runs
/// through `pleinair run` in a fresh workspace, and the figures come from its ledger: wall time,
/// CPU and peak RSS of each stage process, disk footprint, recall@1 against exact search on held-out
/// patches. Then one 256×256 CycleGAN training step (ngf 64, 9 blocks: the paper's generator) runs
/// in its own process with the patch loss over those banks and without, alternating, for the
/// loss's share of the step and the step's peak RSS. Photos are kept (in $PLEINAIR_BENCH_DIR or
/// /tmp) between runs; the workspace is not.
/// `indexParams`: extra `ann_index` parameters (`--index-param nprobe=8`), to compare settings.
func runBankBenchmarks(quick: Bool, indexParams: [String] = []) throws {
    let photos = quick ? 786 : 6287, size = 256
    let root = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PLEINAIR_BENCH_DIR"] ?? NSTemporaryDirectory())
        .appendingPathComponent("pleinair-bank-bench")
    let photoFolder = root.appendingPathComponent("photos-\(photos)")
    let workspace = root.appendingPathComponent("workspace-\(photos)")
    print("bank: \(photos) demo photos at \(size)×\(size) (\(quick ? "quick: 1/8 of " : "")monet2photo's training-photo count), "
          + "scales 16/6, 8/5, 4/4, every patch; \(ProcessInfo.processInfo.activeProcessorCount) CPUs, OpenBLAS \(BLASKernel.coreName)")
    print("  load while measuring: \(loadAverage())" + (indexParams.isEmpty ? "" : "; ann_index \(indexParams.joined(separator: ", "))"))
    // Figures of the quick size, or of other index settings, are kept under names of their own.
    let prefix = "bank" + (quick ? ".quick" : "") + (indexParams.isEmpty ? "" : "[\(indexParams.joined(separator: ","))]")
    let rendered = try Bench.time { try renderPhotos(photos, size: size, into: photoFolder) }
    print(String(format: "  photos ready in %.0f s (%@)", rendered, photoFolder.path))
    try? FileManager.default.removeItem(at: workspace)
    try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
    let spec = workspace.appendingPathComponent("bank.yaml")
    try """
    experiment: paper-scale-bank
    description: every patch of \(photos) photographs at the authors' three scales, and their FAISS indexes
    stages:
      bank:
        kind: memory_bank
        inputs: {photos: \(photoFolder.path)}
      index:
        kind: ann_index
        inputs: {bank: bank.bank}
        params: {\(indexParams.map { $0.replacingOccurrences(of: "=", with: ": ") }.joined(separator: ", "))}

    """.write(to: spec, atomically: true, encoding: .utf8)
    let pleinair = Bench.sibling("pleinair").path
    let wall = try Bench.time {
        let status = Bench.shell(pleinair, ["run", spec.path, "--workspace", workspace.path], in: workspace)
        guard status == 0 else { throw StageFailure.message("pleinair run failed (\(status)); see \(workspace.path)/artifacts/logs") }
    }
    let ledger = try Ledger(path: Workspace(root: workspace).ledgerPath)
    var total = 0.0, peak = 0
    var figures: [String: Double] = [:]
    for stage in ["bank", "index"] {
        guard let e = try ledger.lastExecution(experiment: "paper-scale-bank", stage: stage),
              let start = e.startedAt, let end = e.finishedAt else { continue }
        total += end - start
        peak = max(peak, e.peakRSSKB ?? 0)
        print(String(format: "  %@: %.0f s wall, %.0f s CPU, peak RSS %.2f GB", stage.padding(toLength: 5, withPad: " ", startingAt: 0),
                     end - start, e.cpuSeconds ?? 0, Double(e.peakRSSKB ?? 0) / 1_048_576))
        for m in try ledger.metrics(fingerprint: e.fingerprint) where m.step == nil { figures[m.name] = m.value }
    }
    print(String(format: "  build total %.1f min (", total / 60)
          + (quick ? "goal ≤ 30 for the full size" : Bench.goal("\(prefix).build_min", total / 60, goal: 30, .lower, unit: " min"))
          + String(format: "; the whole run took %.1f min with hashing into the store), peak RSS %.2f GB", wall / 60, Double(peak) / 1_048_576)
          + " (\(Bench.goal("\(prefix).build_rss_gb", Double(peak) / 1_048_576, goal: 4, .lower, unit: " GB")))")
    print(String(format: "  disk: %.2f GB of 8-bit patches, %.2f GB of indexes", (figures["patch_bytes"] ?? 0) / 1e9,
                 (figures["index_bytes"] ?? 0) / 1e9))
    for scale in PatchScale.authorsDefaults.map(\.name) {
        let recall = Bench.goal("\(prefix).recall_at_1.\(scale)", figures["recall_at_1.\(scale)"] ?? .nan, goal: 0.9, .higher)
        print(String(format: "  %@: %9.0f patches, recall@1 %.3f, recall@5 %.3f (recall@1 %@), train %.0f s, add %.0f s, "
                     + "%.0f queries/s", scale, figures["patches.\(scale)"] ?? 0, figures["recall_at_1.\(scale)"] ?? .nan,
                     figures["recall_at_k.\(scale)"] ?? .nan, recall as NSString, figures["train_seconds.\(scale)"] ?? .nan,
                     figures["add_seconds.\(scale)"] ?? .nan, figures["queries_per_second.\(scale)"] ?? .nan))
    }
    // The training step, each measurement in its own process (its peak RSS is its own).
    let views = Workspace(root: workspace).views.appendingPathComponent("paper-scale-bank")
    let bank = views.appendingPathComponent("bank/bank"), index = views.appendingPathComponent("index/index")
    var plain: [Double] = [], with: [Double] = [], checkpointed: [Double] = []
    var stepPeak = 0.0, checkpointedPeak = 0.0, patchAlone = Double.nan, retrieval = Double.nan
    for _ in 0..<(quick ? 1 : 2) {
        // The last run checkpoints the generators' residual blocks (train's `checkpoint_blocks`).
        let runs: [(lambda: String, extra: [String])] = [("0", []), ("0.1", []), ("0.1", ["checkpoint"])]
        for (lambda, extra) in runs {
            let output = try Bench.capture(CommandLine.arguments[0], ["bank-step", bank.path, index.path, lambda] + extra)
            let values = Dictionary(output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pair -> (String, Double)? in
                let kv = pair.split(separator: "=")
                return kv.count == 2 ? (String(kv[0]), Double(kv[1]) ?? .nan) : nil
            }, uniquingKeysWith: { $1 })
            guard let step = values["step_ms"] else { throw StageFailure.message("bank-step printed no step time:\n\(output)") }
            if lambda == "0" { plain.append(step) } else if !extra.isEmpty {
                checkpointed.append(step)
                checkpointedPeak = max(checkpointedPeak, values["peak_rss_gb"] ?? 0)
            } else {
                with.append(step)
                stepPeak = max(stepPeak, values["peak_rss_gb"] ?? 0)
                patchAlone = values["patch_loss_ms"] ?? .nan
                retrieval = values["retrieval_ms"] ?? .nan
            }
        }
    }
    let p = plain.min()!, w = with.min()!, c = checkpointed.min()!
    // Issue 30: at paper size the loss ≤ 20% of the step, and the step ≤ 4 GB with it (blocks checkpointed).
    let share = Bench.goal("\(prefix).step_loss_share_pct", 100 * (w - p) / w, goal: 20, .lower, unit: "%")
    let rss = Bench.goal("\(prefix).step_rss_gb", checkpointedPeak, goal: 4, .lower, unit: " GB")
    print(String(format: "  training step 256×256, ngf 64, 9 blocks, batch 1: %.1f s with the patch loss (λ 0.1, k 5), %.1f s without: "
                 + "the loss takes %.1f%% of the step", w / 1000, p / 1000, 100 * (w - p) / w) + " (\(share)); "
          + String(format: "the loss alone %.1f s, of which retrieval %.1f s; peak RSS %.2f GB with the loss", patchAlone / 1000,
                   retrieval / 1000, stepPeak))
    print(String(format: "  with checkpoint_blocks: %.1f s with the patch loss, peak RSS %.2f GB", c / 1000, checkpointedPeak)
          + " (\(rss))")
}

private func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
        .map { "load average " + $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
}

/// Renders `count` demo photos at `size` into `folder` unless a complete set is already there.
private func renderPhotos(_ count: Int, size: Int, into folder: URL) throws {
    let marker = folder.appendingPathComponent(".complete")
    if FileManager.default.fileExists(atPath: marker.path) { return }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let failures = Locked<[String]>([])
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let url = folder.appendingPathComponent(String(format: "photo_%05d.png", i))
        do {
            try ImageCodec.write(DemoScenes.photo(seed: UInt64(100_000 + i), size: size), to: url)
        } catch {
            failures.update { $0.append("\(url.path): \(error)") }
        }
    }
    if let first = failures.value.first { throw StageFailure.message(first) }
    try Data().write(to: marker)
}

/// A value behind a lock, for results gathered from concurrent work.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ body: (inout Value) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}

/// `pleinair-bench bank-step BANK INDEX LAMBDA [checkpoint]`: one process, one warm-up and two timed
/// CycleGAN steps at 256×256 (ngf 64, 9 blocks) with patch weight LAMBDA over the given bank (unused
/// when LAMBDA is 0), the residual blocks checkpointed when `checkpoint` is given; prints
/// `step_ms=… patch_loss_ms=… retrieval_ms=… peak_rss_gb=…`. The loss's FAISS searches use as many
/// threads as the step, as the train stage gives them (`PLEINAIR_BENCH_FAISS_THREADS=N` to compare).
func runBankStep(bank: URL, index: URL, lambda: Float, checkpointBlocks: Bool) throws {
    let threads = ProcessInfo.processInfo.activeProcessorCount
    BLASKernel.setThreadCount(threads)
    var options = CycleGANOptions()
    options.ngf = 64; options.ndf = 64; options.blocks = 9; options.lambdaPatch = lambda
    options.checkpointBlocks = checkpointBlocks
    let faissThreads = Int(ProcessInfo.processInfo.environment["PLEINAIR_BENCH_FAISS_THREADS"] ?? "") ?? threads
    let loss = lambda > 0 ? try PatchLoss(bankFolder: bank, indexFolder: index, threads: faissThreads) : nil
    let trainer = CycleGANTrainer(model: CycleGAN(options: options), schedule: LinearDecaySchedule(constantEpochs: 100, decayEpochs: 100),
                                  iterationsPerEpoch: 1000)
    let auxiliary: CycleGANTrainer.AuxiliaryLoss? = loss.map { loss in { try loss($0, masks: nil) } }
    let a = Tensor(shape: [1, 3, 256, 256], values: DemoScenes.painting(seed: 7, size: 256, style: .impressionist).planarFloats())
    let b = Tensor(shape: [1, 3, 256, 256], values: DemoScenes.photo(seed: 8, size: 256).planarFloats())
    _ = try trainer.step(realA: a, realB: b, auxiliaryLoss: auxiliary)
    let step = try (0..<2).map { _ in try Bench.time { _ = try trainer.step(realA: a, realB: b, auxiliaryLoss: auxiliary) } }.min()! * 1000
    var line = String(format: "step_ms=%.1f", step)
    if let loss {
        let y = GradMode.withoutGradient { trainer.model.generatorA(a) }
        let alone = try (0..<2).map { _ in
            try Bench.time {
                let leaf = Tensor(shape: y.shape, values: y.scalars, requiresGrad: true)
                try loss(leaf).backward()
            }
        }.min()! * 1000
        let retrieval = try (0..<2).map { _ in try Bench.time { for s in loss.scales.indices { _ = try loss.retrieve(y, scale: s) } } }
            .min()! * 1000
        line += String(format: " patch_loss_ms=%.1f retrieval_ms=%.1f", alone, retrieval)
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    line += String(format: " peak_rss_gb=%.3f", Double(usage.ru_maxrss) / 1_048_576)
    print(line)
}

/// `pleinair-bench bank-index BANK SCALE FACTORY NPROBE SHORTLIST TRAIN ITERATIONS`: builds one
/// scale's index of an existing bank with the given settings and prints its build times, recall
/// against exact search on 300 held-out patches and queries per second, to compare index types.
func runBankIndex(_ a: [String]) throws {
    BLASKernel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    let bank = try MemoryBank(folder: URL(fileURLWithPath: a[0]))
    guard let s = bank.scales.firstIndex(where: { $0.scale.name == a[1] }), let nprobe = Int(a[3]), let shortlist = Int(a[4]),
          let train = Int(a[5]), let iterations = Int(a[6]) else { throw StageFailure.message("bad arguments \(a)") }
    let scale = bank.scales[s]
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("bank-index-\(getpid())")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let builder = PatchIndexBuilder(factory: a[2], trainSize: train, seed: 1, threads: ProcessInfo.processInfo.activeProcessorCount,
                                    kmeansIterations: iterations)
    let (index, report) = try builder.build(scale.patches, name: scale.scale.name, work: work)
    let manifest = PatchIndexManifest(factory: a[2], factories: [a[2]], nprobe: nprobe, efSearch: 64, shortlist: shortlist, scales: [])
    try manifest.applySearchParameters(to: index)
    let held = try bank.holdout(s)
    let n = min(300, held.rows)
    let queries = try held.floats(0..<n)
    let search = try manifest.search(over: index, bank: scale.patches, threads: 1)
    var found: Neighbors!
    let t = try Bench.time { found = try queries.withUnsafeBufferPointer { try search!.search($0.baseAddress!, count: n, k: 5) } }
    let truth = try queries.withUnsafeBufferPointer { try ExactScan(bank: scale.patches).search($0.baseAddress!, count: n, k: 5) }
    let recall = RetrievalRecall.measure(approximate: found, exact: truth)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print(String(format: "%@ %@ nprobe %d shortlist %d train %d×%d: train %.0f s, add %.0f s, recall@1 %.3f recall@5 %.3f, %.0f queries/s, "
                 + "code %d B, peak RSS %.2f GB", scale.scale.name, a[2], nprobe, shortlist, train, iterations, report.trainSeconds,
                 report.addSeconds, recall.atOne, recall.atK, Double(n) / t, index.codeSize, Double(usage.ru_maxrss) / 1_048_576))
}

/// `pleinair-bench bank-search BANK INDEX [QUERIES]`: the search-time settings of an index folder
/// already built (nprobe × shortlist), on each scale's held-out patches against exact search over
/// the whole bank: recall and queries per second of the search the loss runs, no rebuild.
func runBankSearch(_ a: [String]) throws {
    BLASKernel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    let bank = try MemoryBank(folder: URL(fileURLWithPath: a[0]))
    let folder = URL(fileURLWithPath: a[1])
    var manifest = try PatchIndexManifest.read(from: folder)
    let count = a.count > 2 ? Int(a[2]) ?? 300 : 300
    for (s, name) in manifest.scales.enumerated() {
        let scale = bank.scales[s]
        let index = try ANNIndex.read(from: folder.appendingPathComponent(PatchIndexManifest.indexFile(name)))
        let held = try bank.holdout(s)
        let n = min(count, held.rows)
        let queries = try held.floats(0..<n)
        var truth: Neighbors!
        let exact = try Bench.time {
            truth = try queries.withUnsafeBufferPointer { try ExactScan(bank: scale.patches).search($0.baseAddress!, count: n, k: 5) }
        }
        print(String(format: "%@: %d patches, %@, %d held-out queries (exact search %.0f s)", name, scale.patches.rows,
                     manifest.factories[s], n, exact))
        for nprobe in [16, 32, 64] {
            for shortlist in [64, 128, 256] {
                manifest.nprobe = nprobe
                manifest.shortlist = shortlist
                try manifest.applySearchParameters(to: index)
                guard let search = try manifest.search(over: index, bank: scale.patches, threads: 1) else { continue }
                var found: Neighbors!
                let t = try Bench.time { found = try queries.withUnsafeBufferPointer { try search.search($0.baseAddress!, count: n, k: 5) } }
                let recall = RetrievalRecall.measure(approximate: found, exact: truth)
                print(String(format: "  nprobe %3d shortlist %3d: recall@1 %.3f recall@5 %.3f, %6.0f queries/s", nprobe, shortlist,
                             recall.atOne, recall.atK, Double(n) / t))
            }
        }
    }
}
