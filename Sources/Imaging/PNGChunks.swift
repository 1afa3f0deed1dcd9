import Foundation

/// Chunk-level surgery on PNG bytes, done before libpng sees them.
///
/// Imaging's images hold the samples a file stores, as Pillow does. libpng's simplified API instead
/// colour-manages: it converts 16-bit data to linear light whenever a file carries gamma or colour
/// space chunks, and 8-bit data to sRGB when their gamma differs. Dropping those chunks makes it pass
/// samples through untouched; their CRCs and the rest of the stream are still checked by libpng.
enum PNGChunks {
    /// The colour-management chunks libpng would act on.
    static let colourChunks: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP"]

    /// The PNG without the chunks named in `dropping`; the input unchanged if its chunk structure
    /// is damaged, so libpng reports the damage in its own words.
    static func removing(_ dropping: Set<String>, from data: Data) -> Data {
        guard data.count > 8 else { return data }
        var out = Data(data.prefix(8))
        out.reserveCapacity(data.count)
        var offset = data.startIndex + 8
        var removed = false
        while offset + 12 <= data.endIndex {
            let length = data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let end = offset + 12 + length
            guard length < 0x8000_0000, end <= data.endIndex else { return data }
            let type = String(decoding: data[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if dropping.contains(type) {
                removed = true
            } else {
                out.append(data[offset..<end])
            }
            offset = end
            if type == "IEND" { break }
        }
        return removed ? out : data
    }
}
