import Basics
import Foundation

/// A folder of segmentation masks beside a folder of images: for the image at relative path
/// `dir/name.ext`, the mask `dir/name.png` (8-bit ids, the image's size), with the class names in
/// the folder's `classes.txt`. Any segmentation tool can write one (docs/memory-banks.md).
public struct MaskFolder: Sendable {
    public let root: URL
    public let classes: SegmentationClasses

    /// Opens a mask folder; it must hold `classes.txt`.
    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MaskError.io(path: root.path, "no such mask folder")
        }
        classes = try SegmentationClasses.read(from: self.root)
    }

    /// Where the mask of the image at `relativePath` (relative to its image folder) must be.
    public func url(for relativePath: String) -> URL {
        let stem = (relativePath as NSString).deletingPathExtension
        return root.appendingPathComponent(stem + ".png")
    }

    /// The mask of the image at `relativePath`, checked against the image's size and the class names.
    /// (Without a size, only the class names are checked.)
    public func mask(for relativePath: String, width: Int? = nil, height: Int? = nil) throws -> LabelMap {
        let url = url(for: relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MaskError.missingMask(image: relativePath, expected: url.path)
        }
        let map = try LabelMap(image: try ImageCodec.read(url), path: url.path)
        if let width, let height, map.width != width || map.height != height {
            throw MaskError.sizeMismatch(path: url.path, mask: (map.width, map.height), image: (width, height))
        }
        var seen = [Bool](repeating: false, count: 256)
        for id in map.labels { seen[Int(id)] = true }
        if let unknown = (0..<256).first(where: { seen[$0] && classes.names[$0] == nil }) {
            throw MaskError.unknownClass(path: url.path, id: unknown, classesFile: root.appendingPathComponent(SegmentationClasses.fileName).path)
        }
        return map
    }
}
