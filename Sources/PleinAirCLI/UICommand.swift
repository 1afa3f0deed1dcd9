import ArgumentParser
import Foundation
import Imaging
import Pipeline
import UI

/// `pleinair ui`: serves a read-only, live web view of the workspace's experiments until Ctrl-C.
struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve a local, read-only, live web view of experiments, runs, stages, metrics and images.",
        discussion: """
            The URL printed carries a random token (PLEINAIR_UI_TOKEN sets one); requests without it are refused. \
            The ledger is opened read-only and only files inside the store's cache are served.
            """)

    @Option(help: "The workspace folder holding artifacts/ and the ledger (default: the current folder).")
    var workspace: String = "."
    @Option(help: "Port to listen on (0: any free port).") var port: Int = 8765
    @Option(help: "IP address to bind (127.0.0.1 or ::1). Anything but loopback exposes the view (token-protected) to the network.")
    var host: String = "127.0.0.1"

    /// A PNG of the image at `path` with its longer side at most `side` (re-encoded when already small).
    static func thumbnail(_ path: String, _ side: Int) -> Data? {
        guard let image = try? ImageCodec.read(URL(fileURLWithPath: path)) else { return nil }
        let longer = max(image.width, image.height)
        guard longer > side else { return try? ImageCodec.encode(image, as: .png) }
        let scale = Double(side) / Double(longer)
        let small = image.resized(width: max(1, Int((Double(image.width) * scale).rounded())),
                                  height: max(1, Int((Double(image.height) * scale).rounded())))
        return try? ImageCodec.encode(small, as: .png)
    }

    func run() throws {
        let root = URL(fileURLWithPath: workspace)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIUsageError(message: "no workspace folder at \(root.path)")
        }
        guard (0...65535).contains(port) else { throw CLIUsageError(message: "--port takes 0…65535, got \(port)") }
        let token = ProcessInfo.processInfo.environment["PLEINAIR_UI_TOKEN"].flatMap { $0.isEmpty ? nil : UIToken(value: $0) } ?? .random()
        let kinds = AllStages.all.map(\.descriptor)
        let view = LiveView(workspace: Workspace(root: root), token: token, thumbnails: ThumbnailCache { UICommand.thumbnail($0, $1) }) { file in
            try SpecExpander.load(file, kinds: kinds)
        }
        let server: HTTPServer
        do {
            server = try HTTPServer(host: host, port: port) { view.respond($0) }
        } catch let error as HTTPServerError {
            throw CLIUsageError(message: error.message)
        }
        if !HTTPServer.isLoopback(host) {
            FileHandle.standardError.write(Data("""
                warning: --host \(host) is not loopback: anyone who can reach this machine and learns the token can read \
                this workspace's ledger and outputs (plain HTTP, no TLS)\n
                """.utf8))
        }
        print("PleinAir live view of \(Workspace(root: root).root.path) (read-only)")
        print("  http://\(server.authority)/?token=\(token.value)")
        print("Ctrl-C stops it.")
        fflush(stdout)
        withExtendedLifetime(server) { dispatchMain() }
    }
}
