import Foundation
import Pipeline

/// The live view's routes: token check, then the embedded page, JSON from the read-only ledger, or a
/// file from the store's `cache/` folder. Each request opens its own read-only ledger connection, so
/// concurrent pollers never share one and never hold a write lock.
package struct LiveView: Sendable {
    package let workspace: Workspace
    package let token: UIToken
    /// Expands an experiment file, for the results page; nil leaves that page out.
    package let loadExperiment: (@Sendable (String) throws -> Experiment)?
    /// Small copies of images for the grid; without it `/thumbs/` serves the files themselves.
    package let thumbnails: ThumbnailCache?
    private let responses = ResponseCache()

    package init(workspace: Workspace, token: UIToken, thumbnails: ThumbnailCache? = nil,
                loadExperiment: (@Sendable (String) throws -> Experiment)? = nil) {
        self.workspace = workspace
        self.token = token
        self.thumbnails = thumbnails
        self.loadExperiment = loadExperiment
    }

    /// Answers one request; never throws, never writes.
    package func respond(_ request: HTTPRequest) -> HTTPResponse {
        guard token.matches(request.query["token"]) else {
            return .text(request.query["token"] == nil ? 401 : 403,
                         "this view needs the token printed by `pleinair ui`: open the URL it printed")
        }
        let segments = request.segments
        switch segments.first ?? "" {
        case "": return asset(UIAssets.indexHTML.replacingOccurrences(of: "{{TOKEN}}", with: token.value), "text/html; charset=utf-8")
        case "app.js" where segments.count == 1: return asset(UIAssets.javascript, "text/javascript; charset=utf-8")
        case "app.css" where segments.count == 1: return asset(UIAssets.stylesheet, "text/css; charset=utf-8")
        case "files": return file(Array(segments.dropFirst()))
        case "thumbs": return file(Array(segments.dropFirst()), thumbnail: true)
        case "api" where segments.count == 2: return api(segments[1], request.query)
        default: return .text(404, "not found")
        }
    }

    private func asset(_ text: String, _ type: String) -> HTTPResponse {
        HTTPResponse(status: 200, contentType: type, body: Data(text.utf8))
    }

    private func api(_ name: String, _ query: [String: String]) -> HTTPResponse {
        let key = name + "?" + query.filter { $0.key != "token" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return responses.response(for: key, stamp: ResponseCache.stamp(ledger: workspace.ledgerPath), now: Date().timeIntervalSince1970) {
            answer(name, query)
        }
    }

    private func answer(_ name: String, _ query: [String: String]) -> HTTPResponse {
        let ledger: Ledger
        do {
            guard FileManager.default.fileExists(atPath: workspace.ledgerPath) else { return .text(404, "no ledger in this workspace yet") }
            ledger = try Ledger(readOnlyPath: workspace.ledgerPath)
            // A run creating the ledger has made the file but not yet its tables (each migration is
            // one transaction, so version 1 means the base tables are there).
            guard ((try? ledger.schemaVersion()) ?? 0) >= 1 else { return .text(404, "no ledger in this workspace yet") }
        } catch {
            return .text(503, "cannot read the ledger: \(error)")
        }
        let queries = LiveQueries(ledger: ledger, workspace: workspace)
        let run = query["run"].flatMap { Int64($0) }
        do {
            switch (name, run) {
            case ("experiments", _): return try json(queries.experiments())
            case ("run", let run?): return try json(queries.graph(run: run))
            case ("stage", let run?):
                guard let stage = query["stage"] else { return .text(400, "stage= is missing") }
                return try json(queries.stage(run: run, stage: stage))
            case ("metrics", let run?): return try json(queries.metrics(run: run, compare: query["compare"].flatMap { Int64($0) }))
            case ("images", let run?):
                return try json(queries.images(run: run, output: query["output"].flatMap { $0.isEmpty ? nil : $0 },
                                               offset: query["offset"].flatMap { Int($0) } ?? 0,
                                               limit: query["limit"].flatMap { Int($0) } ?? 24))
            case ("results", let run?):
                guard let loadExperiment else { return .text(404, "results need the experiment loader") }
                return try json(queries.results(run: run, compare: query["compare"].flatMap { Int64($0) }, load: loadExperiment))
            case ("compare", let run?):
                guard let loadExperiment else { return .text(404, "the comparison needs the experiment loader") }
                return try json(queries.compare(run: run, group: query["group"] ?? "", replicate: query["replicate"] ?? "",
                                                offset: query["offset"].flatMap { Int($0) } ?? 0,
                                                limit: query["limit"].flatMap { Int($0) } ?? 12, load: loadExperiment))
            case ("run", nil), ("stage", nil), ("metrics", nil), ("images", nil), ("results", nil), ("compare", nil):
                return .text(400, "run= is missing or not a number")
            default: return .text(404, "no such data")
            }
        } catch LiveQueryError.notFound(let message) {
            return .text(404, message)
        } catch let error as SpecError {
            return .text(500, "the experiment file no longer loads: \(error)")
        } catch {
            return .text(500, "\(error)")
        }
    }

    private func json<T: Encodable>(_ value: T) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return HTTPResponse(status: 200, contentType: "application/json", body: try encoder.encode(value))
    }

    static let contentTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
                               "webp": "image/webp", "svg": "image/svg+xml", "txt": "text/plain; charset=utf-8",
                               "csv": "text/plain; charset=utf-8", "json": "application/json", "log": "text/plain; charset=utf-8"]

    /// A regular file under `artifacts/cache/` (`files/FINGERPRINT/OUTPUT/…`), or its thumbnail, or a refusal.
    private func file(_ components: [String], thumbnail: Bool = false) -> HTTPResponse {
        guard let path = SafePath(root: workspace.cache).resolve(components) else {
            return .text(403, "refused: that path is not a file inside the store")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.type] as? FileAttributeType) == FileAttributeType.typeRegular else { return .text(404, "not a file") }
        // Everything under a fingerprint is content-addressed: the same URL always names the same bytes.
        if thumbnail, let thumbnails, let small = thumbnails.thumbnail(of: path) {
            var response = HTTPResponse(status: 200, contentType: "image/png", body: small)
            response.cacheControl = HTTPResponse.immutable
            return response
        }
        let type = Self.contentTypes[(path as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        return HTTPResponse(status: 200, contentType: type, file: .init(path: path, size: size), cacheControl: HTTPResponse.immutable)
    }
}
