import Basics
import Foundation
import Imaging

/// A CSV of answers as a sheet page downloads it: `sheet_id,trial_id,choice,response_ms`.
package struct AnswerFile: Sendable {
    package struct Row: Sendable, Equatable {
        /// 1-based line in the file.
        package var line: Int
        package var sheetID: String
        package var trialID: String
        /// 1 or 2.
        package var choice: Int
        package var responseMilliseconds: Double?
    }

    package var path: String
    package var rows: [Row]
    /// SHA-256 of the file's bytes.
    package var hash: String

    /// Reads and parses a file; throws `StudyError` listing every malformed row with its line.
    package static func read(_ url: URL) throws -> AnswerFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StudyError.unreadable(path: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StudyError.unreadable(path: url.path, message: "not UTF-8 text")
        }
        return try parse(text, path: url.path, hash: SHA256Digest.hex(data))
    }

    /// Parses CSV text (LF or CRLF line ends; blank lines ignored). A missing header stops there;
    /// otherwise every malformed row is reported, in one `StudyError.malformedLines`.
    package static func parse(_ text: String, path: String, hash: String = "") throws -> AnswerFile {
        var rows: [Row] = []
        var problems: [LineProblem] = []
        var sawHeader = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let content = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if content.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if !sawHeader {
                guard content == SheetPage.csvHeader else {
                    throw StudyError.malformed(path: path, line: line, message: "expected the header '\(SheetPage.csvHeader)', found '\(content.prefix(80))'")
                }
                sawHeader = true
                continue
            }
            if let row = row(content, line: line, problems: &problems) { rows.append(row) }
        }
        guard sawHeader else { throw StudyError.malformed(path: path, line: 1, message: "the file is empty") }
        guard problems.isEmpty else { throw StudyError.malformedLines(path: path, problems) }
        return AnswerFile(path: path, rows: rows, hash: hash)
    }

    /// The row on `line`, or nil with what is wrong with it added to `problems`.
    private static func row(_ content: String, line: Int, problems: inout [LineProblem]) -> Row? {
        let fields = content.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else {
            problems.append(LineProblem(line: line, "expected 4 fields, found \(fields.count)"))
            return nil
        }
        guard let choice = Int(fields[2]), choice == 1 || choice == 2 else {
            problems.append(LineProblem(line: line, "choice must be 1 or 2, found '\(fields[2].prefix(80))'"))
            return nil
        }
        let ms = fields[3].isEmpty ? nil : Double(fields[3])
        if !fields[3].isEmpty && ms == nil {
            problems.append(LineProblem(line: line, "response_ms must be a number, found '\(fields[3].prefix(80))'"))
            return nil
        }
        return Row(line: line, sheetID: fields[0], trialID: fields[1], choice: choice, responseMilliseconds: ms)
    }
}
