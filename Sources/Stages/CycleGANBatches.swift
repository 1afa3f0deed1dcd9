import Basics
import Foundation
import Imaging
import Tensor

/// Unpaired training batches from a folder of paintings (A) and one of photos (B), as junyanz's
/// unaligned dataset: A is walked in a fresh seeded order each pass, B is drawn at random; each
/// image is resized, randomly cropped and flipped. Batch i depends only on (seed, i), so a resumed
/// run sees exactly the batches an uninterrupted one would.
struct CycleGANBatches {
    let a: ImageFolder
    let b: ImageFolder
    /// The paintings' masks, cropped and flipped with them (for a semantic patch loss).
    var masksA: PaintingMasks? = nil
    let transform: TrainingTransform
    let batchSize: Int
    let seed: UInt64

    /// junyanz's epoch: max(|A|, |B|) images, in batches.
    var iterationsPerEpoch: Int { max(1, max(a.count, b.count) / batchSize) }

    /// Batch `iteration`: paintings and photos as [batch, 3, crop, crop] in [−1, 1], and the
    /// paintings' masks when `masksA` is set (a painting without one: class 0 everywhere).
    func batch(_ iteration: Int) throws -> (a: Tensor, b: Tensor, masksA: [ClassMasks]?) {
        var rng = SeededGenerator(seed: SeededGenerator.derive(seed, SeededGenerator.code("batch"), UInt64(iteration)))
        var paintings: [Image] = [], photos: [Image] = [], masks: [ClassMasks] = []
        for j in 0..<batchSize {
            let position = iteration * batchSize + j
            let pass = position / a.count
            var order = SeededGenerator(seed: SeededGenerator.derive(seed, SeededGenerator.code("order"), UInt64(pass)))
            let permutation = Array(0..<a.count).shuffled(using: &order)
            let index = permutation[position % a.count]
            if let masksA {
                let painting = try a.image(at: index)
                let found = try masksA.masks(for: a.relativePaths[index], painting: painting)
                let sample = transform.training(painting, masks: found ?? .background(width: painting.width, height: painting.height),
                                                using: &rng)
                paintings.append(sample.image)
                masks.append(sample.masks)
            } else {
                paintings.append(try load(a, index, &rng))
            }
            photos.append(try load(b, rng.below(b.count), &rng))
        }
        return (Tensor(batch: paintings), Tensor(batch: photos), masksA == nil ? nil : masks)
    }

    /// Decoding errors carry the file's path (ImageError), so they pass through unchanged.
    private func load(_ folder: ImageFolder, _ index: Int, _ rng: inout SeededGenerator) throws -> Image {
        transform.training(try folder.image(at: index), using: &rng)
    }
}
