import Foundation

/// A grid of images with captions, for people to look at datasets and results.
public struct ContactSheet: Sendable {
    /// One cell: an image and the caption printed under it.
    public struct Cell: Sendable {
        /// The picture (any size, depth or channel layout).
        public var image: Image
        /// Text under it, cut to the cell width.
        public var caption: String
        /// A cell showing `image` above `caption`.
        public init(_ image: Image, caption: String = "") {
            self.image = image
            self.caption = caption
        }
    }

    /// Cells per row.
    public var columns: Int
    /// Every image is resized (area/bilinear) to fit this square side, keeping its aspect ratio.
    public var cellSize: Int
    /// Blank pixels between and around cells.
    public var padding: Int
    /// Integer magnification of the 5×8 caption font.
    public var fontScale: Int
    /// Optional title line above the grid.
    public var title: String

    /// A layout; `columns` and `cellSize` must be positive (programmer error otherwise).
    public init(columns: Int = 8, cellSize: Int = 64, padding: Int = 4, fontScale: Int = 1, title: String = "") {
        precondition(columns > 0 && cellSize > 0 && padding >= 0 && fontScale > 0, "invalid contact sheet layout")
        self.columns = columns
        self.cellSize = cellSize
        self.padding = padding
        self.fontScale = fontScale
        self.title = title
    }

    /// Renders the cells onto a white 8-bit RGB sheet; captions wider than a cell are cut.
    public func render(_ cells: [Cell]) -> Image {
        let rows = max(1, (cells.count + columns - 1) / columns)
        let lineHeight = BitmapFont.height * fontScale + 2
        let hasCaptions = cells.contains { !$0.caption.isEmpty }
        let cellHeight = cellSize + (hasCaptions ? lineHeight : 0)
        let titleHeight = title.isEmpty ? 0 : lineHeight + padding
        let width = padding + columns * (cellSize + padding)
        let height = padding + titleHeight + rows * (cellHeight + padding)
        var sheet = Image(width: width, height: height, channels: 3, fill: 255)
        if !title.isEmpty {
            drawText(title, into: &sheet, x: padding, y: padding, maxWidth: width - 2 * padding)
        }
        for (k, cell) in cells.enumerated() {
            let x0 = padding + (k % columns) * (cellSize + padding)
            let y0 = padding + titleHeight + (k / columns) * (cellHeight + padding)
            let rgb = cell.image.convertedTo8Bit().toRGB()
            let scale = Double(cellSize) / Double(max(rgb.width, rgb.height))
            let w = max(1, Int((Double(rgb.width) * scale).rounded())), h = max(1, Int((Double(rgb.height) * scale).rounded()))
            let fitted = (w == rgb.width && h == rgb.height) ? rgb : rgb.resized(width: w, height: h, filter: .bilinear)
            let ox = x0 + (cellSize - w) / 2, oy = y0 + (cellSize - h) / 2
            for y in 0..<h {
                for x in 0..<w {
                    for c in 0..<3 { sheet[ox + x, oy + y, c] = fitted[x, y, c] }
                }
            }
            if !cell.caption.isEmpty {
                drawText(cell.caption, into: &sheet, x: x0, y: y0 + cellSize + 1, maxWidth: cellSize)
            }
        }
        return sheet
    }

    /// Renders the cells and writes the sheet as PNG.
    public func write(_ cells: [Cell], to url: URL) throws {
        try ImageCodec.write(render(cells), to: url)
    }

    private func drawText(_ text: String, into sheet: inout Image, x: Int, y: Int, maxWidth: Int) {
        let fitting = max(0, maxWidth / (BitmapFont.advance * fontScale))
        for (k, character) in text.prefix(fitting).enumerated() {
            for row in 0..<BitmapFont.height {
                for column in 0..<5 where BitmapFont.isSet(character, column: column, row: row) {
                    for dy in 0..<fontScale {
                        for dx in 0..<fontScale {
                            let px = x + (k * BitmapFont.advance + column) * fontScale + dx
                            let py = y + row * fontScale + dy
                            guard px < sheet.width, py < sheet.height else { continue }
                            for c in 0..<3 { sheet[px, py, c] = 20 }
                        }
                    }
                }
            }
        }
    }
}
