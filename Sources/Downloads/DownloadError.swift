/// Why a download (a dataset, weights, a released model) failed; always names the URL or path.
package enum DownloadError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The name is not in the catalogue of downloadable datasets.
    case unknownDataset(name: String, known: [String])
    /// The server could not be reached or answered with an error.
    case downloadFailed(url: String, message: String)
    /// The downloaded bytes are not what the catalogue or the server promised.
    case verificationFailed(path: String, message: String)
    /// Reading or writing a downloaded file failed.
    case io(path: String, message: String)

    package var description: String {
        switch self {
        case let .unknownDataset(name, known): return "unknown dataset '\(name)'; known: \(known.joined(separator: ", "))"
        case let .downloadFailed(url, message): return "\(url): download failed: \(message)"
        case let .verificationFailed(path, message): return "\(path): verification failed: \(message)"
        case let .io(path, message): return "\(path): \(message)"
        }
    }
}
