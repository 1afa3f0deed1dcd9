import NN
import Foundation

/// `classes.json`: the classes of a semantic memory bank (one bank per segmentation class, from
/// masks of the photos) or of its index folder. Each class with patches has a sub-folder holding an
/// ordinary bank (`bank.json`…) or index (`index.json`…) of the scales where it has patches; a class
/// with none has no folder. Class 0 — patches no class covers by half — is the fallback bank.
public struct BankClasses: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var id: Int
        public var name: String
        /// Patches in the bank per scale name (0 where the class has none at that scale).
        public var patches: [String: Int]
        /// The sub-folder (nil: no patches at any scale).
        public var folder: String?

        public init(id: Int, name: String, patches: [String: Int], folder: String?) {
            self.id = id
            self.name = name
            self.patches = patches
            self.folder = folder
        }
    }

    public static let fileName = "classes.json"
    public static let currentFormat = 1

    public var format: Int
    /// Every scale of the bank, in order.
    public var scales: [PatchScale]
    /// Every class the masks name, by id.
    public var classes: [Entry]

    public init(scales: [PatchScale], classes: [Entry]) {
        format = Self.currentFormat
        self.scales = scales
        self.classes = classes.sorted { $0.id < $1.id }
    }

    /// The sub-folder name of class `id`.
    public static func folder(_ id: Int) -> String { "class-" + String(format: "%03d", id) }

    /// `classes.json` of `folder`, or nil when the folder holds a single bank (or index).
    public static func read(from folder: URL) throws -> BankClasses? {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let value = try JSONManifest.decode(BankClasses.self, from: data, url: url)
        guard value.format == currentFormat else {
            throw BankFileError.malformed(path: url.path, "classes format \(value.format), this build reads \(currentFormat)")
        }
        return value
    }

    /// Writes `classes.json` into `folder`.
    public func write(to folder: URL) throws {
        try JSONManifest.write(self, to: folder.appendingPathComponent(Self.fileName))
    }
}
