import NN
import Foundation
import Tensor

/// The "copying from the real" loss: cuts generated images into patches at every bank scale,
/// retrieves the k nearest real patches of each from the scale's FAISS index, pools the retrieved
/// ids of each image (unique, sorted — the authors' sparse approximation) and sums the contextual
/// loss against that pool over scales with per-scale weights, averaged over the batch.
public final class PatchLoss {
    /// One scale: its bank, its index and its weight in the sum.
    public struct Scale {
        public let bank: MemoryBank.Scale
        public let index: ANNIndex
        public let weight: Float
        /// The search used instead of FAISS's own (nil: FAISS searches): sgemm scans for `Flat` and
        /// IVF-Flat indexes, exact re-ranking for compressed ones (`PatchIndexManifest.search`).
        public let scan: (any NearestNeighborScan)?
        let mean: Tensor
    }

    /// What one image's patches retrieved at one scale.
    public struct Retrieval: Sendable {
        public let scale: PatchScale
        /// Generated patches per image: positions on the (rescaled) image grid, row-major.
        public let columns: Int
        /// k neighbours (bank rows, −1 when missing) of each generated patch, row-major [patches, k].
        public let neighbors: Neighbors
        /// The pooled bank rows (unique, sorted) the affinity is computed against.
        public let pooled: [Int]
    }

    public let scales: [Scale]
    /// Neighbours retrieved per generated patch (the authors' k = 5).
    public let k: Int
    /// Bandwidth h of the affinity (the authors' h = 1).
    public let bandwidth: Float
    /// OpenMP threads for FAISS searches (0: FAISS's default). Defaults to 1: one image's few hundred
    /// queries gain less from OpenMP than its barriers cost on shared cores (measured 134 ms with 1
    /// thread against 236 ms with 2 for a 64×64 image's three scales; benchmarks/RetrievalBenchmarks).
    public let threads: Int

    /// A loss over every scale of `bank`, with `indexes` in the same order (from `ann_index`).
    ///
    /// Defaults follow aimagelab/art2real: k = 5 neighbours, h = 1, scales summed with equal weights
    /// (its loss has no per-scale weights; the generator objective multiplies the sum by 0.1).
    /// `blasScan`: search `Flat` indexes (`ExactScan`) and the probed lists of plain IVF indexes
    /// (`InvertedFileScan`) with sgemm, same neighbours as FAISS's scan, which Debian compiles without AVX2.
    /// Compressed (PQ) indexes return `shortlist` candidates that the bank re-ranks exactly.
    public init(bank: MemoryBank, indexes: [ANNIndex], weights: [Float]? = nil, k: Int = 5, bandwidth: Float = 1,
                threads: Int = 1, blasScan: Bool = true, shortlist: Int = 128) throws {
        precondition(k > 0 && bandwidth > 0, "k and bandwidth must be positive")
        let w = weights ?? [Float](repeating: 1, count: bank.scales.count)
        guard indexes.count == bank.scales.count, w.count == bank.scales.count else {
            throw BankFileError.malformed(path: bank.folder.path, "\(bank.scales.count) bank scales but \(indexes.count) "
                                          + "indexes and \(w.count) weights")
        }
        scales = try zip(bank.scales, zip(indexes, w)).map { scale, pair in
            guard pair.0.dimension == scale.scale.dimension, pair.0.count == scale.patches.rows else {
                throw BankFileError.malformed(path: bank.folder.path, "index for \(scale.scale.name) holds \(pair.0.count) "
                                              + "vectors of \(pair.0.dimension); the bank has \(scale.patches.rows) of \(scale.scale.dimension)")
            }
            let scan = try PatchIndexManifest.search(over: pair.0, bank: scale.patches, shortlist: shortlist, threads: threads,
                                                     blasScan: blasScan)
            return Scale(bank: scale, index: pair.0, weight: pair.1, scan: scan,
                         mean: Tensor(shape: [scale.mean.count], values: scale.mean))
        }
        self.k = k
        self.bandwidth = bandwidth
        self.threads = threads
    }

    /// Opens a bank folder (from `memory_bank`) and its index folder (from `ann_index`).
    public convenience init(bankFolder: URL, indexFolder: URL, weights: [Float]? = nil, k: Int = 5, bandwidth: Float = 1,
                            threads: Int = 1, blasScan: Bool = true) throws {
        let bank = try MemoryBank(folder: bankFolder)
        let manifest = try PatchIndexManifest.read(from: indexFolder)
        guard manifest.scales == bank.scales.map(\.scale.name) else {
            throw BankFileError.malformed(path: indexFolder.path, "indexes for scales \(manifest.scales) but the bank has "
                                          + "\(bank.scales.map(\.scale.name))")
        }
        try self.init(bank: bank, indexes: manifest.readIndexes(from: indexFolder), weights: weights, k: k,
                      bandwidth: bandwidth, threads: threads, blasScan: blasScan, shortlist: manifest.shortlist)
    }

    /// The loss of generated images [N, 3, H, W] in [−1, 1]; a scalar whose gradient flows to them.
    public func callAsFunction(_ generated: Tensor) throws -> Tensor {
        precondition(generated.rank == 4 && generated.shape[1] == 3, "patch loss needs [N, 3, H, W], got \(generated.shape)")
        let n = generated.shape[0]
        var total: Tensor?
        for s in scales.indices {
            let (patches, retrievals) = try retrieveAll(generated, scale: s)
            let l = patches.shape[1]
            for b in 0..<n {
                let mine = patches.slice(axis: 0, b..<(b + 1)).reshaped([l, patches.shape[2]])
                let real = try gather(scales[s].bank.patches, rows: retrievals[b].pooled)
                let term = ContextualLoss.loss(generated: mine, real: real, mean: scales[s].mean, bandwidth: bandwidth)
                    .scaled(scales[s].weight)
                total = total.map { $0 + term } ?? term
            }
        }
        return total!.scaled(1 / Float(n))
    }

    /// What the patches of each image retrieved at scale `s` (for inspection and contact sheets).
    public func retrieve(_ generated: Tensor, scale s: Int) throws -> [Retrieval] {
        try GradMode.withoutGradient { try retrieveAll(generated, scale: s).1 }
    }

    /// The (rescaled) image cut into patches [N, L, D], and per image its neighbours and pooled rows.
    private func retrieveAll(_ generated: Tensor, scale s: Int) throws -> (Tensor, [Retrieval]) {
        let scale = scales[s].bank.scale
        let h = generated.shape[2], w = generated.shape[3]
        let source = scale.rescale == 1 ? generated
            : generated.resizedBilinear(height: scale.rescaled(h), width: scale.rescaled(w))
        let patches = source.patches(size: scale.patch, stride: scale.stride)
        let n = patches.shape[0], l = patches.shape[1]
        let kk = min(k, scales[s].index.count)
        let found = try scales[s].scan?.search(patches.pointer, count: n * l, k: kk)
            ?? scales[s].index.search(patches.pointer, count: n * l, k: kk, threads: threads)
        let retrievals = (0..<n).map { b -> Retrieval in
            let mine = Array(found.labels[(b * l * kk)..<((b + 1) * l * kk)])
            let pooled = Array(Set(mine.filter { $0 >= 0 })).sorted()
            return Retrieval(scale: scale, columns: scale.positions(source.shape[3]),
                             neighbors: Neighbors(k: kk, labels: mine,
                                                  distances: Array(found.distances[(b * l * kk)..<((b + 1) * l * kk)])),
                             pooled: pooled)
        }
        return (patches, retrievals)
    }

    /// Bank rows `rows` as a constant [rows, D] tensor of floats, read with `pread`: only these rows
    /// are read, and none stays mapped in this process (see `ShardedMatrix`).
    func gather(_ matrix: PatchMatrix, rows: [Int]) throws -> Tensor {
        let out = Tensor(zeros: [rows.count, matrix.columns])
        try matrix.readRows(rows, into: out.pointer)
        return out
    }
}
