/// A weights file that does not fit the network it is loaded into, with the file and the mismatch.
public struct WeightsFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
