import Foundation
import ZIPFoundation
import ZIPGuard

/// Unpacks a zip archive safely: every entry's path must stay inside the destination (no absolute
/// paths, no `..`), symlinks are refused, and every file's CRC-32 is checked while it is written.
public enum ArchiveExtractor {
    /// Extracts `archive` into `destination` (which must not exist yet); returns the file count.
    public static func extract(_ archive: URL, to destination: URL) throws -> Int {
        if let problem = ZIPPreflight.problem(in: archive) {
            throw DatasetError.extractionFailed(path: archive.path, message: "not a readable zip archive (\(problem))")
        }
        let zip: Archive
        do {
            zip = try Archive(url: archive, accessMode: .read)
        } catch {
            throw DatasetError.extractionFailed(path: archive.path, message: "not a readable zip archive (\(error))")
        }
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.io(path: destination.path, message: "cannot create: \(error.localizedDescription)")
        }
        var files = 0
        for entry in zip {
            let components = entry.path.split(separator: "/", omittingEmptySubsequences: true)
            guard !entry.path.hasPrefix("/"), !components.contains(".."), !components.isEmpty else {
                throw DatasetError.extractionFailed(path: archive.path, message: "unsafe entry path '\(entry.path)'")
            }
            // macOS zip tools add resource-fork shadows; they are not data.
            if components.first == "__MACOSX" { continue }
            let target = components.reduce(destination) { $0.appendingPathComponent(String($1)) }
            do {
                switch entry.type {
                case .directory:
                    try fm.createDirectory(at: target, withIntermediateDirectories: true)
                case .file:
                    // Archive.extract computes the CRC but leaves comparing it to the caller.
                    let crc = try zip.extract(entry, to: target, skipCRC32: false)
                    guard crc == entry.checksum else { throw Archive.ArchiveError.invalidCRC32 }
                    files += 1
                case .symlink:
                    throw DatasetError.extractionFailed(path: archive.path, message: "symlink entry '\(entry.path)' refused")
                }
            } catch let error as DatasetError {
                throw error
            } catch Archive.ArchiveError.invalidCRC32 {
                throw DatasetError.extractionFailed(path: archive.path, message: "CRC-32 mismatch in '\(entry.path)' (archive corrupt)")
            } catch {
                throw DatasetError.extractionFailed(path: archive.path, message: "'\(entry.path)': \(error)")
            }
        }
        return files
    }
}
