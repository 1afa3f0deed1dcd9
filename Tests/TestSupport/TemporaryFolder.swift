import Foundation

/// Unique paths under the system's temporary folder, one helper for every test target.
public enum TemporaryFolder {
    /// A path that does not exist yet: `TMP/PREFIX-UUID[.EXT]`.
    public static func url(_ prefix: String, extension ext: String? = nil) -> URL {
        let name = "\(prefix)-\(UUID().uuidString)" + (ext.map { ".\($0)" } ?? "")
        return FileManager.default.temporaryDirectory.appendingPathComponent(name)
    }

    /// A new, empty folder `TMP/PREFIX-UUID`.
    public static func make(_ prefix: String) throws -> URL {
        let folder = url(prefix)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
