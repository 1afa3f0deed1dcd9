import Imaging
import Tensor

// The one crossing between images (Imaging) and tensors (Tensor): pixels in [-1, 1], channel-major,
// as the networks and pytorch-fid take them. Kept here, where the two halves' stages meet.

extension Tensor {
    /// `image` as [1, 3, H, W] in [-1, 1], alpha dropped, grey as RGB (16-bit samples keep their precision).
    convenience init(image: Image) {
        let rgb = image.removingAlpha().toRGB()
        self.init(shape: [1, 3, rgb.height, rgb.width], values: rgb.planarFloats())
    }

    /// RGB images of one size as a [N, 3, H, W] batch in [-1, 1].
    convenience init(batch images: [Image]) {
        let h = images.first?.height ?? 0, w = images.first?.width ?? 0, plane = 3 * h * w
        self.init(zeros: [images.count, 3, h, w])
        for (k, image) in images.enumerated() {
            precondition(image.width == w && image.height == h && image.channels == 3, "a batch holds RGB images of one size")
            image.writePlanarFloats(into: UnsafeMutableBufferPointer(start: pointer + k * plane, count: plane))
        }
    }
}

extension Image {
    /// Item `index` of a [N, 3, H, W] tensor in [-1, 1] as an 8-bit RGB image (values clamped).
    init(tensor: Tensor, index: Int = 0) {
        let (h, w) = (tensor.shape[2], tensor.shape[3])
        let plane = 3 * h * w
        self.init(planarFloats: Array(UnsafeBufferPointer(start: tensor.pointer + index * plane, count: plane)), width: w, height: h, channels: 3)
    }
}
