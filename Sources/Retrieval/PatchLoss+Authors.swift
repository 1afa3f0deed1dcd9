import Basics
import NN
import Tensor

/// `ClassTerms.authors`: the semantic patch loss exactly as aimagelab/art2real's `compute_contextual`
/// (models/contextual_loss.py) computes it. Per image and scale, the patches join classes by the
/// per-mask half rule (`PatchClassMembership`); each class present gives one term, its patches
/// searched in the class's bank — or in class 0's, with class 0's mean, when the bank lacks the class,
/// the term staying the class's own — pooled (unique, sorted) and scored −log(mean row max) against
/// the bank's mean as stored. The terms are summed with no weight (but the scale's weight, 1 by
/// default), over scales, and averaged over the batch.
extension PatchLoss {
    /// One class's term of one image at one scale.
    public struct AuthorsTerm: Sendable {
        /// The class whose patches these are.
        public let classID: Int
        /// The class whose bank they searched (`classID`, or 0 when the bank lacks it).
        public let bank: Int
        /// Patch positions on the (rescaled) image grid, in the order they joined (may repeat).
        public let positions: [Int]
        /// Their neighbours, in `positions` order.
        public let neighbors: Neighbors
        /// The pooled bank rows (unique, sorted) the term's affinity is computed against.
        public let pooled: [Int]
    }

    /// The authors' loss of `generated` [N, 3, H, W] in [−1, 1] with one set of masks per image
    /// (nil, or an image's masks with no entries: every pixel is class 0, the authors' missing pickle).
    func authorsLoss(_ generated: Tensor, masks: [ClassMasks]?) throws -> Tensor {
        precondition(generated.rank == 4 && generated.shape[1] == 3, "patch loss needs [N, 3, H, W], got \(generated.shape)")
        let n = generated.shape[0]
        var total: Tensor?
        for s in scales.indices {
            let (patches, terms) = try authorsTerms(generated, scale: s, masks: masks)
            let l = patches.shape[1], d = patches.shape[2]
            for b in 0..<n {
                let mine = patches.slice(axis: 0, b..<(b + 1)).reshaped([l, d])
                for term in terms[b] where !term.pooled.isEmpty {
                    let bank = bank(term.bank, s)
                    let real = try gather(bank.bank.patches, rows: term.pooled)
                    let value = ContextualLoss.loss(generated: mine.rows(term.positions), real: real, mean: bank.mean(for: .authors),
                                                    bandwidth: bandwidth).scaled(scales[s].weight)
                    total = total.map { $0 + value } ?? value
                }
            }
        }
        // No term at all (every pool empty): the authors' loss is the constant 0.
        return (total ?? Tensor(scalar: 0)).scaled(1 / Float(n))
    }

    /// What each image's class terms retrieved at scale `s` under the authors' rule (for inspection
    /// and contact sheets): one entry per class present, in the authors' order.
    public func authorsRetrieve(_ generated: Tensor, scale s: Int, masks: [ClassMasks]?) throws -> [[AuthorsTerm]] {
        try GradMode.withoutGradient { try authorsTerms(generated, scale: s, masks: masks).1 }
    }

    /// The patches [N, L, D] of the (rescaled) images at scale `s` and each image's class terms.
    private func authorsTerms(_ generated: Tensor, scale s: Int, masks: [ClassMasks]?) throws -> (Tensor, [[AuthorsTerm]]) {
        let scale = scales[s].bank.scale
        let n = generated.shape[0], h = generated.shape[2], w = generated.shape[3]
        if isSemantic {
            guard let masks, masks.count == n else {
                throw BankFileError.malformed(path: scales[s].bank.entry.scale.name,
                                              "the bank is semantic (one per class): the patch loss needs masks per image (\(n)), got "
                                              + "\(masks?.count ?? 0)")
            }
            for m in masks {
                precondition(m.width == w && m.height == h, "masks of \(m.width)x\(m.height) for a \(w)x\(h) image")
            }
        }
        let source = scale.rescale == 1 ? generated
            : generated.resizedBilinear(height: scale.rescaled(h), width: scale.rescaled(w))
        let patches = source.patches(size: scale.patch, stride: scale.stride)
        let l = patches.shape[1], d = patches.shape[2]
        let served = Set(classBanks.filter { $0.scales[s] != nil }.map(\.id))
        var out: [[AuthorsTerm]] = []
        for b in 0..<n {
            // A single bank is class 0's: every patch joins it (the authors' run without masks).
            let members = isSemantic
                ? PatchClassMembership.members(of: masks![b], scale: scale, width: w, height: h)
                : [PatchClassMembership.Member(id: 0, positions: Array(0..<l))]
            var terms: [AuthorsTerm] = []
            for member in members {
                let id = served.contains(member.id) ? member.id : 0
                let bank = bank(id, s)
                let kk = min(k, bank.index.count)
                var queries = [Float](repeating: 0, count: member.positions.count * d)
                queries.withUnsafeMutableBufferPointer { q in
                    for (i, position) in member.positions.enumerated() {
                        (q.baseAddress! + i * d).update(from: patches.pointer + (b * l + position) * d, count: d)
                    }
                }
                let found = kk == 0 ? Neighbors(k: 0, labels: [], distances: [])
                    : try queries.withUnsafeBufferPointer { try bank.search($0.baseAddress!, count: member.positions.count, k: kk,
                                                                            threads: threads) }
                terms.append(AuthorsTerm(classID: member.id, bank: id, positions: member.positions, neighbors: found,
                                         pooled: Array(Set(found.labels.filter { $0 >= 0 })).sorted()))
            }
            out.append(terms)
        }
        return (patches, out)
    }
}
