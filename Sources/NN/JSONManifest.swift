import Foundation

/// The one way the numeric targets read and write their small JSON files (`bank.json`, `index.json`,
/// `classes.json`, provenance): pretty-printed with sorted keys, written atomically, and failing as
/// `BankFileError` naming the file.
public enum JSONManifest {
    /// Encodes `value` into `url` (temp file and rename).
    public static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(value).write(to: url, options: .atomic) } catch {
            throw BankFileError.io(path: url.path, error.localizedDescription)
        }
    }

    /// Decodes a `T` from `data` read from `url`; `hint` is added to a decoding error's message.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, url: URL, hint: String = "") throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw BankFileError.malformed(path: url.path, "\(error)" + hint)
        }
    }
}
