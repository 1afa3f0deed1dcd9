import Basics

/// Which classes a patch belongs to under the authors' rule (aimagelab/art2real, `compute_contextual`
/// in models/contextual_loss.py): each class mask is tested on its own, and a patch joins class c when
/// at least half of its P² pixels are in c's mask; class 0's mask is the pixels in no mask. So a patch
/// may join two classes (overlapping masks, or an exact half/half split joins both) or none (it is
/// then left out of the loss). `ClassTerms.authors` uses it; `PatchClassRule` is PleinAir's own rule.
public enum PatchClassMembership {
    /// One class and the positions (row-major over (y, x), like `Tensor.patches`) that joined it.
    public struct Member: Equatable, Sendable {
        public let id: Int
        public var positions: [Int]
    }

    /// The members of every mask of `masks` (already at the rescaled image's size) at `scale`, in
    /// the authors' order: the masks in list order, then class 0 (the pixels in no mask). A mask
    /// whose class is named twice gives two members.
    public static func perMask(_ masks: ClassMasks, scale: PatchScale) -> [Member] {
        let nx = scale.positions(masks.width), ny = scale.positions(masks.height)
        guard nx > 0, ny > 0 else { return [] }
        return (masks.entries.map { ($0.id, $0.pixels) } + [(0, masks.uncovered)]).map { id, pixels in
            Member(id: id, positions: halfCovered(pixels, width: masks.width, height: masks.height, scale: scale, nx: nx, ny: ny))
        }
    }

    /// The positions each class joined, one member per class in order of first appearance (a class
    /// named by two masks keeps both lists, concatenated: a patch in both counts twice, as the
    /// authors' `torch.cat` does); classes no patch joined are left out.
    public static func members(of masks: ClassMasks, scale: PatchScale) -> [Member] {
        var out: [Member] = []
        for member in perMask(masks, scale: scale) where !member.positions.isEmpty {
            if let i = out.firstIndex(where: { $0.id == member.id }) {
                out[i].positions += member.positions
            } else {
                out.append(member)
            }
        }
        return out
    }

    /// The members at `scale` of an image of `width`×`height` whose masks are `masks`: the masks are
    /// rescaled with the image (nearest pixel) as `scale.rescale` asks.
    public static func members(of masks: ClassMasks, scale: PatchScale, width: Int, height: Int) -> [Member] {
        members(of: masks.resized(width: scale.rescaled(width), height: scale.rescaled(height)), scale: scale)
    }

    /// Per position, whether the class's mask covers at least half the patch's pixels (summed-area table).
    private static func halfCovered(_ pixels: [UInt8], width: Int, height: Int, scale: PatchScale, nx: Int, ny: Int) -> [Int] {
        let stride = width + 1
        var table = [Int](repeating: 0, count: (height + 1) * stride)
        for y in 0..<height {
            var run = 0
            for x in 0..<width {
                run += Int(pixels[y * width + x])
                table[(y + 1) * stride + x + 1] = table[y * stride + x + 1] + run
            }
        }
        let p = scale.patch
        var out: [Int] = []
        for py in 0..<ny {
            for px in 0..<nx {
                let x0 = px * scale.stride, y0 = py * scale.stride
                let count = table[(y0 + p) * stride + x0 + p] - table[y0 * stride + x0 + p] - table[(y0 + p) * stride + x0] + table[y0 * stride + x0]
                if 2 * count >= p * p { out.append(py * nx + px) }
            }
        }
        return out
    }
}
