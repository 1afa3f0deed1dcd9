import Foundation

/// The folder downloaded network weights live in, shared by the registry of published weights and
/// the downloads that fill it: `$PLEINAIR_WEIGHTS` when set, else `~/.cache/pleinair/weights`.
public enum WeightsFolder {
    public static func url(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["PLEINAIR_WEIGHTS"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/pleinair/weights")
    }
}
