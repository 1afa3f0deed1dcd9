import Foundation
import Imaging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET streamed to a file, resuming at the file's current size with a `Range` header.
/// Bytes go straight to disk, so a 300 MB archive never sits in memory and an interrupted
/// transfer leaves a prefix the next attempt can continue from.
final class HTTPRangeFetch: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// What one request achieved.
    struct Outcome {
        var status: Int
        /// Bytes of the whole resource as the server stated it (Content-Range total or Content-Length).
        var total: Int64?
        /// Size of the file after the request.
        var fileSize: Int64
        /// Transport error (connection refused, dropped...) if any.
        var error: Error?
    }

    private let url: URL, destination: URL, timeout: TimeInterval
    private let progress: ((Int64, Int64?) -> Void)?
    private var handle: FileHandle?
    private var offset: Int64 = 0
    private var written: Int64 = 0
    private var outcome = Outcome(status: 0, total: nil, fileSize: 0, error: nil)
    private var writeError: Error?
    private let done = DispatchSemaphore(value: 0)

    init(url: URL, destination: URL, timeout: TimeInterval, progress: ((Int64, Int64?) -> Void)?) {
        self.url = url
        self.destination = destination
        self.timeout = timeout
        self.progress = progress
    }

    /// Runs the request to completion (blocking the calling thread).
    func run() throws -> Outcome {
        let existing = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? Int64) ?? nil
        offset = existing ?? 0
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        try? handle?.close()
        if let writeError { throw DownloadError.io(path: destination.path, message: "write failed: \(writeError.localizedDescription)") }
        outcome.fileSize = (try? FileManager.default.attributesOfItem(atPath: destination.path)[.size] as? Int64) ?? 0
        return outcome
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else { return completionHandler(.cancel) }
        outcome.status = http.statusCode
        let fm = FileManager.default
        do {
            switch http.statusCode {
            case 206:
                // Resume only if the server continues exactly where our file ends.
                let range = (http.value(forHTTPHeaderField: "Content-Range") ?? "")
                let parsed = HTTPRangeFetch.parseContentRange(range)
                guard let parsed, parsed.start == offset else { outcome.status = -206; return completionHandler(.cancel) }
                outcome.total = parsed.total
                handle = try FileHandle(forWritingTo: destination)
                try handle?.truncate(atOffset: UInt64(offset))
                try handle?.seekToEnd()
            case 200:
                // The server ignored the Range header (or there was none): start over.
                offset = 0
                outcome.total = http.expectedContentLength >= 0 ? http.expectedContentLength : nil
                if !fm.createFile(atPath: destination.path, contents: nil) {
                    throw DownloadError.io(path: destination.path, message: "cannot create file")
                }
                handle = try FileHandle(forWritingTo: destination)
            default:
                return completionHandler(.cancel)
            }
        } catch {
            writeError = error
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard writeError == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
            written += Int64(data.count)
            progress?(offset + written, outcome.total)
        } catch {
            writeError = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, (error as? URLError)?.code != .cancelled { outcome.error = error }
        done.signal()
    }

    /// Parses `bytes START-END/TOTAL` (TOTAL may be `*`).
    static func parseContentRange(_ value: String) -> (start: Int64, total: Int64?)? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6)
        let parts = spec.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let dash = parts[0].firstIndex(of: "-"),
              let start = Int64(parts[0][..<dash]) else { return nil }
        return (start, Int64(parts[1]))
    }
}
