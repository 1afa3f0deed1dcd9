/// A segmentation mask in memory: one class id (0...255) per pixel, row-major. Geometric operations
/// never blend ids: resizing takes the nearest pixel. (Reading and writing it as a PNG is Imaging's.)
public struct LabelMap: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var labels: [UInt8]

    public init(width: Int, height: Int, labels: [UInt8]) {
        precondition(width > 0 && height > 0 && labels.count == width * height, "label map of \(labels.count) ids for \(width)x\(height)")
        self.width = width
        self.height = height
        self.labels = labels
    }

    @inlinable public subscript(x: Int, y: Int) -> UInt8 { labels[y * width + x] }

    /// Nearest-neighbour resize (the source pixel whose centre is nearest each output pixel's centre).
    public func resized(width w: Int, height h: Int) -> LabelMap {
        if w == width && h == height { return self }
        let xs = (0..<w).map { min(width - 1, Int((Double($0) + 0.5) * Double(width) / Double(w))) }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let sy = min(height - 1, Int((Double(y) + 0.5) * Double(height) / Double(h)))
            for x in 0..<w { out[y * w + x] = labels[sy * width + xs[x]] }
        }
        return LabelMap(width: w, height: h, labels: out)
    }

    /// The `w`×`h` region whose top-left corner is (`x`, `y`).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> LabelMap {
        precondition(x >= 0 && y >= 0 && x + w <= width && y + h <= height, "crop \(w)x\(h)+\(x)+\(y) outside \(width)x\(height)")
        var out: [UInt8] = []
        out.reserveCapacity(w * h)
        for row in y..<(y + h) { out += labels[(row * width + x)..<(row * width + x + w)] }
        return LabelMap(width: w, height: h, labels: out)
    }

    /// The mirror map (left and right swapped).
    public func flippedHorizontally() -> LabelMap {
        var out = labels
        for y in 0..<height { for x in 0..<width { out[y * width + width - 1 - x] = labels[y * width + x] } }
        return LabelMap(width: width, height: height, labels: out)
    }
}
