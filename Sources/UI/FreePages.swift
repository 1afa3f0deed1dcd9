import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hands the pages glibc's allocator holds free back to the system (`malloc_trim(0)`).
///
/// Under load the view allocates each answer on whichever of glibc's arenas (up to 8 per core) the
/// handling thread has, and frees it a moment later; the arenas' free chunks keep their pages, and glibc
/// returns only the free top of each arena. Measured in the 50-client soak, the bytes in use stayed
/// flat (about 2 MB) while the arenas' free space, and with it RSS, kept rising about 2 MB a minute;
/// after `malloc_trim(0)` RSS fell back to the same level at every sample (docs/ui.md). The function is
/// looked up at run time since Swift's Glibc module leaves out <malloc.h>; where it is missing (another
/// C library) this does nothing.
enum FreePages {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    private static let mallopt: Option? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt").map { unsafeBitCast($0, to: Option.self) }
    /// glibc's M_ARENA_MAX.
    private static let arenaMax: Int32 = -8

    /// Caps glibc's arenas at `count` for threads that get one from now on (the server calls it before
    /// it starts its threads). Trimming alone left RSS rising over a 10-minute soak, the free space
    /// scattered over 16 arenas; with two, RSS stayed level (+0.9% after warm-up, docs/ui.md).
    static func capArenas(_ count: Int32) { _ = mallopt?(arenaMax, count) }

    /// Returns the allocator's free pages to the system; true when some were returned.
    @discardableResult
    static func release() -> Bool { (trim?(0) ?? 0) != 0 }
}
