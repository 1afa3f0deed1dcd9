import Basics
import Foundation

/// Everything that invalidates a stage's outputs. Its SHA-256 over a stable encoding is the
/// stage's fingerprint; change any field and the stage runs again.
package struct FingerprintKey: Codable, Sendable, Equatable {
    /// Bumped when the encoding or the meaning of any field changes.
    package static let currentSchema = 1

    package var schema: Int
    package var kind: String
    package var kindVersion: Int
    package var params: [String: ParamValue]
    /// Input name → content hash, for inputs that are files or folders.
    package var inputs: [String: String]
    /// Input name → "upstream fingerprint:output name", for inputs produced by other stages.
    package var upstream: [String: String]

    package init(kind: String, kindVersion: Int, params: [String: ParamValue], inputs: [String: String], upstream: [String: String]) {
        self.schema = FingerprintKey.currentSchema
        self.kind = kind
        self.kindVersion = kindVersion
        self.params = params
        self.inputs = inputs
        self.upstream = upstream
    }

    /// The canonical text that is hashed.
    package var stableText: String {
        var out = "pleinair-fingerprint\n"
        out += "schema:\(schema)\nkind:\(kind)\nversion:\(kindVersion)\nparams:"
        StableEncoding.write(.map(params), into: &out)
        out += "\ninputs:"
        StableEncoding.write(.map(inputs.mapValues(ParamValue.string)), into: &out)
        out += "\nupstream:"
        StableEncoding.write(.map(upstream.mapValues(ParamValue.string)), into: &out)
        return out
    }

    /// SHA-256 of `stableText`, hex.
    package var fingerprint: String { SHA256Digest.hex(Data(stableText.utf8)) }

    /// JSON for the ledger.
    package var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    package static func fromJSON(_ text: String) -> FingerprintKey? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(FingerprintKey.self, from: Data(text.utf8))
    }
}

