import Basics

/// The CycleGAN preprocessing as a value: resize to `loadSize` square, random `cropSize` crop,
/// random horizontal flip; evaluation resizes straight to `cropSize`. Output is always 8-bit RGB.
///
/// The default filter is antialiased bilinear (Pillow's `BILINEAR`); junyanz's code and the Art2Real
/// authors resize with Pillow's `BICUBIC` (`filter: .bicubic`). Stated here because it changes numbers.
public struct TrainingTransform: Sendable, Equatable {
    /// Side of the square the image is first resized to (CycleGAN: 286).
    public var loadSize: Int
    /// Side of the random crop taken from it (CycleGAN: 256).
    public var cropSize: Int
    /// Mirror half of the samples at random.
    public var flip: Bool
    /// Resampling filter for the resize.
    public var filter: ResizeFilter

    /// A transform; `cropSize` must not exceed `loadSize` (programmer error otherwise).
    public init(loadSize: Int = 286, cropSize: Int = 256, flip: Bool = true, filter: ResizeFilter = .bilinear) {
        precondition(cropSize > 0 && cropSize <= loadSize, "crop \(cropSize) must be in 1...loadSize \(loadSize)")
        self.loadSize = loadSize
        self.cropSize = cropSize
        self.flip = flip
        self.filter = filter
    }

    /// A training sample: resized, randomly cropped and maybe flipped, randomness from `rng`.
    public func training<G: RandomNumberGenerator>(_ image: Image, using rng: inout G) -> Image {
        training(image, mask: nil, using: &rng).image
    }

    /// A training sample and its segmentation mask, which gets the same resize (nearest), crop and
    /// flip. The random draws are the image-only path's, so a mask never changes which crop an image gets.
    public func training<G: RandomNumberGenerator>(_ image: Image, mask: LabelMap?,
                                                   using rng: inout G) -> (image: Image, mask: LabelMap?) {
        let (out, x, y, flipped) = draw(image, using: &rng)
        let labels = mask?.resized(width: loadSize, height: loadSize).cropped(x: x, y: y, width: cropSize, height: cropSize)
        return (out, flipped ? labels?.flippedHorizontally() : labels)
    }

    /// A training sample and its class masks (which may overlap), resized (nearest), cropped and
    /// flipped with it; the random draws are the image-only path's.
    public func training<G: RandomNumberGenerator>(_ image: Image, masks: ClassMasks,
                                                   using rng: inout G) -> (image: Image, masks: ClassMasks) {
        let (out, x, y, flipped) = draw(image, using: &rng)
        let sample = masks.resized(width: loadSize, height: loadSize).cropped(x: x, y: y, width: cropSize, height: cropSize)
        return (out, flipped ? sample.flippedHorizontally() : sample)
    }

    /// The resized, cropped and maybe flipped image, with the crop's corner and the flip drawn.
    private func draw<G: RandomNumberGenerator>(_ image: Image, using rng: inout G) -> (Image, x: Int, y: Int, flipped: Bool) {
        var out = Self.rgb8(image).resized(width: loadSize, height: loadSize, filter: filter)
        let x = Int.random(in: 0...(loadSize - cropSize), using: &rng)
        let y = Int.random(in: 0...(loadSize - cropSize), using: &rng)
        out = out.cropped(x: x, y: y, width: cropSize, height: cropSize)
        let flipped = flip && Bool.random(using: &rng)
        return (flipped ? out.flippedHorizontally() : out, x, y, flipped)
    }

    /// An evaluation sample: resized to `cropSize` square, nothing random.
    public func evaluation(_ image: Image) -> Image {
        Self.rgb8(image).resized(width: cropSize, height: cropSize, filter: filter)
    }

    private static func rgb8(_ image: Image) -> Image {
        image.convertedTo8Bit().removingAlpha().toRGB()
    }
}
