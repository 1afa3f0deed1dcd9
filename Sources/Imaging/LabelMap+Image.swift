import Basics

extension LabelMap {
    /// The ids of an 8-bit single-channel image; `path` names the file in the error for any other image.
    public init(image: Image, path: String) throws {
        guard image.channels == 1, image.depth == .eight else {
            throw MaskError.notALabelImage(path: path, "it has \(image.channels) channel(s) of \(image.depth.rawValue) bits")
        }
        self.init(width: image.width, height: image.height, labels: image.bytes8)
    }

    /// The map as an 8-bit gray image (what a mask PNG holds).
    public var image: Image { Image(width: width, height: height, channels: 1, bytes: labels) }
}
