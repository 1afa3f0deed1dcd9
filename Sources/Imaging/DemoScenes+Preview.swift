extension DemoScenes {
    /// A contact sheet showing `perRow` scenes as photos, as each style's paintings and as the
    /// photos those paintings were rendered from; what docs/demo-scenes.png shows.
    public static func previewSheet(seed: UInt64 = 1, size: Int = 64, perRow: Int = 8) -> Image {
        var cells: [ContactSheet.Cell] = []
        for k in 0..<perRow {
            cells.append(.init(photo(seed: sceneSeed(seed, "photos", "train", k), size: size), caption: "photo \(k)"))
        }
        for style in PaintingStyle.allCases {
            for k in 0..<perRow {
                let s = sceneSeed(seed, style.rawValue, "test", k)
                cells.append(.init(painting(seed: s, size: size, style: style), caption: "\(style.rawValue.prefix(6)) \(k)"))
            }
            for k in 0..<perRow {
                let s = sceneSeed(seed, style.rawValue, "test", k)
                cells.append(.init(photo(seed: s, size: size), caption: "truth \(k)"))
            }
        }
        let sheet = ContactSheet(columns: perRow, cellSize: size, padding: 4, fontScale: 1,
                                 title: "Demo scenes: photos; per style: paintings, truth")
        return sheet.render(cells)
    }
}
