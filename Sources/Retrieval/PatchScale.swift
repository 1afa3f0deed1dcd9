/// One scale of the patch pyramid: square patches of `patch` pixels every `stride` pixels, cut
/// after resizing the image by `rescale`.
public struct PatchScale: Codable, Hashable, Sendable, CustomStringConvertible {
    public var patch: Int
    public var stride: Int
    public var rescale: Double

    public init(patch: Int, stride: Int, rescale: Double = 1) {
        precondition(patch > 0 && stride > 0 && rescale > 0, "patch, stride and rescale must be positive")
        self.patch = patch
        self.stride = stride
        self.rescale = rescale
    }

    /// The multi-scale example of the authors' README (aimagelab/art2real): 16/6, 8/5, 4/4.
    public static let authorsDefaults = [PatchScale(patch: 16, stride: 6), PatchScale(patch: 8, stride: 5),
                                         PatchScale(patch: 4, stride: 4)]

    /// Stable short name used for file names and metrics, e.g. `p16s6` or `p16s6r0.5`.
    public var name: String { "p\(patch)s\(stride)" + (rescale == 1 ? "" : "r\(rescale)") }
    public var description: String { name }

    /// Values in one RGB patch vector.
    public var dimension: Int { 3 * patch * patch }

    /// Patch positions along an axis of `extent` pixels (0 when the patch does not fit).
    public func positions(_ extent: Int) -> Int { extent < patch ? 0 : (extent - patch) / stride + 1 }

    /// Side of an image of side `extent` once rescaled (at least 1 pixel).
    public func rescaled(_ extent: Int) -> Int { max(1, Int((Double(extent) * rescale).rounded())) }
}

/// Cuts patches out of planar (CHW) float images in the layout `Tensor.patches` produces and
/// PyTorch's `unfold` gives: position-major over (y, x), each vector ordered (channel, row, column).
public enum PatchCutter {
    /// Copies the patch whose top-left corner is (x, y) from a `channels × height × width` image into `out`.
    @inline(__always)
    public static func copy(_ image: UnsafePointer<Float>, width: Int, height: Int, channels: Int, patch: Int,
                            x: Int, y: Int, into out: UnsafeMutablePointer<Float>) {
        var k = 0
        for c in 0..<channels {
            let plane = image + c * width * height
            for dy in 0..<patch {
                (out + k).update(from: plane + (y + dy) * width + x, count: patch)
                k += patch
            }
        }
    }
}
