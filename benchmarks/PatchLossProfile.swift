import Basics
import Foundation
import NN
import Tensor
import CycleGAN
import Retrieval

/// `pleinair-bench train-loss [repeats]`: the patch loss of `pleinair-bench train` alone, on the same
/// bank and indexes and on that bench's first translated image (G_A of its random painting), timed
/// whole (forward, backward) and by part (per scale: the sgemm scan, the pool, the `pread` gather,
/// the contextual loss's forward and backward), with hashes of the neighbours' and the gradient's bits
/// to compare two builds. The step difference `train` reports also carries the
/// rest of the step's noise; this isolates the loss (issue 30). With `repeats` it runs the whole loss
/// that many times more and prints nothing else: a loop to run under `perf record`.
func runTrainLossProfile(repeats: Int?) throws {
    let threads = BLASKernel.threadCount, size = 128
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pleinair-train-loss-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let bank = try MemoryBank(folder: try writeDemoBank(to: folder.appendingPathComponent("bank"), photos: 120, size: size))
    let indexes = try bank.scales.map { scale -> ANNIndex in
        let index = try ANNIndex(dimension: scale.scale.dimension, factory: "Flat")
        try index.add(try scale.patches.allFloats(), count: scale.patches.rows, threads: threads)
        return index
    }
    let loss = try PatchLoss(bank: bank, indexes: indexes, threads: threads)
    var options = CycleGANOptions()
    options.ngf = 32; options.ndf = 64; options.blocks = 6; options.lambdaPatch = 0.1
    var rng = SeededGenerator(seed: 1)
    let painting = Tensor.randomUniform([1, 3, size, size], low: -1, high: 1, generator: &rng)
    let translated = CycleGAN(options: options).generatorA.translate(painting)

    func whole() throws -> (forward: Double, backward: Double, value: Float, gradient: UInt64) {
        let image = translated.copy()
        image.requiresGrad = true
        var value: Tensor!
        let forward = try Bench.time { value = try loss(image) }
        let backward = Bench.time { value.backward() }
        return (forward * 1000, backward * 1000, value.item, bitHash(UnsafeBufferPointer(start: image.grad!.pointer, count: image.count)))
    }
    if let repeats {
        for _ in 0..<repeats { _ = try whole() }
        return
    }
    print("patch loss alone (the train bench's bank and first translated image, 128x128, \(threads) thread(s)), fastest of 5:")
    _ = try whole()
    let runs = try (0..<5).map { _ in try whole() }
    let forward = runs.map(\.forward).min()!, backward = runs.map(\.backward).min()!
    print(String(format: "  whole loss: forward %.1f ms, backward %.1f ms, total %.1f ms (value %.9g, gradient's bits %016llx)",
                 forward, backward, forward + backward, runs[0].value, runs[0].gradient))
    for scale in loss.scales {
        let patches = translated.patches(size: scale.bank.scale.patch, stride: scale.bank.scale.stride)
        let l = patches.shape[1], d = patches.shape[2], kk = min(loss.k, scale.index.count)
        var found: Neighbors!
        let search = try (0..<5).map { _ in
            try Bench.time { found = try scale.scan!.search(patches.pointer, count: l, k: kk) } * 1000
        }.min()!
        // The same scan without the bf16 pre-screen (where this CPU has one): its time and whether its bits agree.
        let sgemm = try ExactScan(bank: scale.bank.patches, prescreen: false)
        var plain: Neighbors!
        let sgemmSearch = try (0..<5).map { _ in
            try Bench.time { plain = try sgemm.search(patches.pointer, count: l, k: kk) } * 1000
        }.min()!
        let agree = plain.labels == found.labels && plain.distances.map(\.bitPattern) == found.distances.map(\.bitPattern)
        var pooled: [Int] = []
        let pool = (0..<5).map { _ in Bench.time { pooled = Array(Set(found.labels.filter { $0 >= 0 })).sorted() } * 1000 }.min()!
        let real = Tensor(zeros: [pooled.count, d])
        let gather = try (0..<5).map { _ in try Bench.time { try scale.bank.patches.readRows(pooled, into: real.pointer) } * 1000 }.min()!
        let mean = Tensor(shape: [d], values: scale.bank.mean)
        var cxForward: [Double] = [], cxBackward: [Double] = []
        for _ in 0..<5 {
            let mine = patches.reshaped([l, d]).copy()
            mine.requiresGrad = true
            var value: Tensor!
            cxForward.append(Bench.time { value = ContextualLoss.loss(generated: mine, real: real, mean: mean) } * 1000)
            cxBackward.append(Bench.time { value.backward() } * 1000)
        }
        let neighbours = found.labels.withUnsafeBufferPointer { bitHash(UnsafeRawBufferPointer($0)) }
            ^ found.distances.withUnsafeBufferPointer { bitHash(UnsafeRawBufferPointer($0)) } &* 31
        print(String(format: "  %@ (%d patches of %d, bank %d, pool %d): scan %.1f ms (sgemm alone %.1f ms, %@), pool %.2f ms, gather %.2f ms, "
                     + "contextual forward %.1f ms, backward %.1f ms; neighbours' bits %016llx", scale.bank.scale.name as NSString, l, d,
                     scale.bank.patches.rows, pooled.count, search, sgemmSearch, (agree ? "same bits" : "BITS DIFFER") as NSString,
                     pool, gather, cxForward.min()!, cxBackward.min()!, neighbours))
    }
}

/// FNV-1a over the bytes: equal for bit-identical results, to compare two builds' runs.
private func bitHash<T>(_ values: UnsafeBufferPointer<T>) -> UInt64 { bitHash(UnsafeRawBufferPointer(values)) }

private func bitHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

/// `pleinair-bench contextual [M U D [repeats]]`: the contextual loss alone at a size of the caller's
/// choosing (default 4,096 generated × 25,000 real patches of 48 values, a paper-size image's p4s4 term),
/// on seeded random patches: forward and backward, fastest of 3, with the value and the gradient's bits
/// (with repeats: a loop for perf that prints nothing more).
func runContextualProfile(_ a: [String]) {
    let m = a.count > 0 ? Int(a[0]) ?? 4096 : 4096, u = a.count > 1 ? Int(a[1]) ?? 25_000 : 25_000
    let d = a.count > 2 ? Int(a[2]) ?? 48 : 48, repeats = a.count > 3 ? Int(a[3]) ?? 0 : 0
    BLASKernel.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
    var rng = SeededGenerator(seed: 12)
    let real = Tensor.randomUniform([u, d], low: -1, high: 1, generator: &rng)
    let generated = Tensor.randomUniform([m, d], low: -1, high: 1, generator: &rng)
    let mean = Tensor.randomUniform([d], low: -0.1, high: 0.1, generator: &rng)
    var forward: [Double] = [], backward: [Double] = [], value: Float = 0, gradient: UInt64 = 0
    for round in 0..<(3 + repeats) {
        let leaf = generated.copy()
        leaf.requiresGrad = true
        var loss: Tensor!
        let f = Bench.time { loss = ContextualLoss.loss(generated: leaf, real: real, mean: mean) }
        let b = Bench.time { loss.backward() }
        if round < 3 { forward.append(f * 1000); backward.append(b * 1000) }
        value = loss.item
        gradient = leaf.grad!.scalars.withUnsafeBufferPointer { bitHash($0) }
    }
    print(String(format: "contextual loss alone, %d × %d × %d, %d thread(s), fastest of 3: forward %.1f ms, backward %.1f ms "
                 + "(value %.9g, bits %08x; gradient's bits %016llx)", m, u, d, BLASKernel.threadCount, forward.min()!, backward.min()!,
                 value, value.bitPattern, gradient))
}
