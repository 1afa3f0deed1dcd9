import Foundation
import Imaging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one resumable download loop (weights and dataset archives): fetches `url` into `partial`,
/// resuming it with HTTP Range requests across attempts, until the server says it is complete.
/// Verifying the content is the caller's part.
struct ResumableTransfer {
    var url: URL
    var partial: URL
    /// The size the file must reach, when the publisher gives it.
    var expectedSize: Int64?
    var attempts: Int
    var timeout: TimeInterval
    /// Where the file should go when the user fetches it by hand (named in the offline message).
    var manualDestination: URL

    /// Runs the transfer; returns the bytes transferred and the size the partial file had before.
    func run(progress: (@Sendable (DownloadProgress) -> Void)?) throws -> (transferred: Int64, resumedFrom: Int64) {
        let fm = FileManager.default
        func size() -> Int64 { ((try? fm.attributesOfItem(atPath: partial.path)[.size]) as? Int64) ?? 0 }
        let startSize = size()
        var transferred: Int64 = 0
        var lastError = "no attempt made"
        for _ in 0..<max(1, attempts) {
            let before = size()
            if let expected = expectedSize, before == expected { return (transferred, startSize) }
            if let expected = expectedSize, before > expected { try? fm.removeItem(at: partial) }
            let fetch = HTTPRangeFetch(url: url, destination: partial, timeout: timeout) { [expectedSize] bytes, total in
                progress?(DownloadProgress(bytes: bytes, total: total ?? expectedSize))
            }
            let outcome = try fetch.run()
            transferred += max(0, outcome.fileSize - (outcome.status == 200 ? 0 : before))
            if let error = outcome.error {
                if outcome.status == 0 {  // no HTTP response at all
                    lastError = offlineMessage(error)
                    if Self.isOffline(error) || outcome.fileSize == before {
                        throw DownloadError.downloadFailed(url: url.absoluteString, message: lastError)
                    }
                } else {
                    lastError = "interrupted after \(outcome.fileSize) bytes (\(error.localizedDescription))"
                }
                continue
            }
            switch outcome.status {
            case 200, 206:
                if let total = outcome.total, outcome.fileSize < total {
                    lastError = "connection closed after \(outcome.fileSize) of \(total) bytes"
                    continue
                }
                if let total = outcome.total, outcome.fileSize != total {
                    try? fm.removeItem(at: partial)
                    throw DownloadError.verificationFailed(path: partial.path,
                        message: "server promised \(total) bytes (Content-Length) but \(outcome.fileSize) arrived")
                }
                return (transferred, startSize)
            case 416, -206:
                // Our partial file does not fit what the server has: start over.
                try? fm.removeItem(at: partial)
                lastError = "server rejected the resume request; restarting"
            case 404:
                throw DownloadError.downloadFailed(url: url.absoluteString, message: "HTTP 404: not found")
            default:
                lastError = "HTTP status \(outcome.status)"
            }
        }
        throw DownloadError.downloadFailed(url: url.absoluteString,
                                          message: "\(lastError); gave up after \(attempts) attempts (run again to resume)")
    }

    func offlineMessage(_ error: Error) -> String {
        "cannot reach \(url.host ?? url.absoluteString) (offline?): \(error.localizedDescription). Without network, download "
            + "\(url.absoluteString) elsewhere and put it at \(manualDestination.path)"
    }

    static func isOffline(_ error: Error) -> Bool {
        guard let code = (error as? URLError)?.code else { return false }
        return [.notConnectedToInternet, .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed,
                .timedOut, .networkConnectionLost, .secureConnectionFailed].contains(code)
    }
}
