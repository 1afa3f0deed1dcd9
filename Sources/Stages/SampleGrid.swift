import Foundation
import Imaging
import Tensor
import Vision

/// Fixed paintings shown during training as rows of painting | G_A(painting) | G_B(G_A(painting)).
struct SampleGrid {
    let names: [String]
    let paintings: Tensor

    /// The first `count` images of `folder`, resized to `size` square (the evaluation transform).
    init(folder: ImageFolder, count: Int, size: Int) throws {
        names = Array(folder.relativePaths.prefix(count))
        let plane = 3 * size * size
        paintings = Tensor(zeros: [names.count, 3, size, size])
        let transform = TrainingTransform(loadSize: size, cropSize: size, flip: false)
        for k in names.indices {
            let image = transform.evaluation(try folder.image(at: k))
            image.writePlanarFloats(into: UnsafeMutableBufferPointer(start: paintings.pointer + k * plane, count: plane))
        }
    }

    /// Translates the paintings with `trainer`'s generators and writes the grid as PNG.
    func write(_ trainer: CycleGANTrainer, to url: URL, iteration: Int) throws {
        let (fake, rec) = trainer.sample(paintings)
        var cells: [ContactSheet.Cell] = []
        for k in names.indices {
            cells.append(.init(Self.image(paintings, k), caption: names[k]))
            cells.append(.init(Self.image(fake, k), caption: "G_A"))
            cells.append(.init(Self.image(rec, k), caption: "G_B(G_A)"))
        }
        let size = paintings.shape[2]
        try ContactSheet(columns: 3, cellSize: max(64, size), title: "iteration \(iteration): painting | photo | reconstruction")
            .write(cells, to: url)
    }

    /// Image `k` of a [N, 3, H, W] batch in [−1, 1].
    static func image(_ batch: Tensor, _ k: Int) -> Image {
        let h = batch.shape[2], w = batch.shape[3], plane = 3 * h * w
        let values = Array(UnsafeBufferPointer(start: batch.pointer + k * plane, count: plane))
        return Image(planarFloats: values, width: w, height: h, channels: 3)
    }
}
