import Foundation
import Imaging

/// Times decoding, resizing and demo-scene generation; prints results (nothing is asserted).
func runImagingBenchmarks() {
    func time(_ label: String, repeats: Int, _ body: () throws -> Void) {
        let start = Date()
        do {
            for _ in 0..<repeats { try body() }
        } catch {
            print("imaging  \(label): failed: \(error)")
            return
        }
        let ms = Date().timeIntervalSince(start) * 1000 / Double(repeats)
        let padded = label.count < 46 ? label + String(repeating: " ", count: 46 - label.count) : label
        print("imaging  \(padded) \(String(format: "%9.3f", ms)) ms")
    }

    let photo = DemoScenes.photo(seed: 1, size: 256)
    let png = (try? PNGCodec.encode(photo)) ?? Data()
    let jpeg = (try? JPEGCodec.encode(photo, quality: 90)) ?? Data()
    time("PNG decode 256x256 RGB", repeats: 50) { _ = try PNGCodec.decode(png) }
    time("PNG encode 256x256 RGB", repeats: 20) { _ = try PNGCodec.encode(photo) }
    time("PNG encode 256x256 RGB, fast", repeats: 20) { _ = try PNGCodec.encode(photo, fast: true) }
    time("JPEG decode 256x256 RGB", repeats: 50) { _ = try JPEGCodec.decode(jpeg) }
    time("resize 256->128 bilinear (antialiased)", repeats: 20) { _ = photo.resized(width: 128, height: 128) }
    time("resize 256->286 bilinear (CycleGAN load size)", repeats: 10) { _ = photo.resized(width: 286, height: 286) }
    time("planar floats 256x256x3 and back", repeats: 20) {
        _ = Image(planarFloats: photo.planarFloats(), width: 256, height: 256, channels: 3)
    }
    time("demo photo 64x64", repeats: 20) { _ = DemoScenes.photo(seed: 2, size: 64) }
    for style in PaintingStyle.allCases {
        time("demo \(style.rawValue) 64x64", repeats: 20) { _ = DemoScenes.painting(seed: 2, size: 64, style: style) }
    }
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-bench-\(UUID().uuidString)")
    time("demo dataset, default options (648 PNGs)", repeats: 1) { try DemoScenes.write(DemoSceneOptions(), to: root) }
    try? FileManager.default.removeItem(at: root)
}
