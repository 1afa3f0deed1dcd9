import Foundation
import Imaging
import Tensor
import CycleGAN

/// Fixed paintings shown during training as rows of painting | G_A(painting) | G_B(G_A(painting)).
struct SampleGrid {
    let names: [String]
    let paintings: Tensor

    /// The first `count` images of `folder`, resized to `size` square (the evaluation transform).
    init(folder: ImageFolder, count: Int, size: Int) throws {
        names = Array(folder.relativePaths.prefix(count))
        let transform = TrainingTransform(loadSize: size, cropSize: size, flip: false)
        paintings = Tensor(batch: try names.indices.map { transform.evaluation(try folder.image(at: $0)) })
    }

    /// Translates the paintings with `trainer`'s generators and writes the grid as PNG.
    func write(_ trainer: CycleGANTrainer, to url: URL, iteration: Int) throws {
        let (fake, rec) = trainer.sample(paintings)
        var cells: [ContactSheet.Cell] = []
        for k in names.indices {
            cells.append(.init(Image(tensor: paintings, index: k), caption: names[k]))
            cells.append(.init(Image(tensor: fake, index: k), caption: "G_A"))
            cells.append(.init(Image(tensor: rec, index: k), caption: "G_B(G_A)"))
        }
        let size = paintings.shape[2]
        try ContactSheet(columns: 3, cellSize: max(64, size), title: "iteration \(iteration): painting | photo | reconstruction")
            .write(cells, to: url)
    }

}
