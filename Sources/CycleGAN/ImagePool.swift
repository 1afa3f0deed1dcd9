import Basics
import Tensor

/// CycleGAN's history of generated images (junyanz `ImagePool`): until full it stores and returns
/// each image; then, with probability ½, it returns a stored image and keeps the new one in its
/// place, so a discriminator also sees older generator outputs.
public final class ImagePool {
    /// Images the pool holds at most (0 disables it).
    public let capacity: Int
    /// Stored images, each [1, C, H, W], detached copies.
    public private(set) var images: [Tensor] = []

    /// An empty pool of `capacity` images.
    public init(capacity: Int) {
        precondition(capacity >= 0, "negative pool capacity")
        self.capacity = capacity
    }

    /// Replaces the contents (restoring a checkpoint); more than `capacity` images is a programmer error.
    public func restore(_ stored: [Tensor]) {
        precondition(stored.count <= capacity, "\(stored.count) images for a pool of \(capacity)")
        images = stored
    }

    /// The batch a discriminator should see for `batch` [N, C, H, W]; draws come from `generator`.
    public func query(_ batch: Tensor, generator: inout SeededGenerator) -> Tensor {
        let fresh = batch.detached()
        guard capacity > 0 else { return fresh }
        var out: [Tensor] = []
        for i in 0..<fresh.shape[0] {
            let image = fresh.slice(axis: 0, i..<(i + 1)).copy()
            if images.count < capacity {
                images.append(image)
                out.append(image)
            } else if generator.unit() > 0.5 {
                let slot = Int(generator.next() % UInt64(capacity))
                out.append(images[slot])
                images[slot] = image
            } else {
                out.append(image)
            }
        }
        return out.count == 1 ? out[0] : Tensor.concat(out, axis: 0)
    }
}
