import CShims
import Foundation

/// Tells a crash from a kill. A process that writes to the archive arms `<storage>/crashed`:
/// a fatal signal (a segmentation fault or stack overflow, a trap, an abort) writes
/// "signal N pid P" into it before the process dies. A kill (SIGKILL, a power loss) writes
/// nothing: the visits it interrupted say nothing of their packages and are only redone.
enum CrashMarker {
    static func path(storage: String) -> String { storage + "/crashed" }

    /// What the previous writer left: "signal N pid P" when it crashed, nil otherwise.
    static func previousCrash(storage: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(storage: storage)), !data.isEmpty else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Empties the marker and arms it for this process (the file stays open until it exits).
    static func arm(storage: String) throws {
        let file = path(storage: storage)
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError("open the crash marker", path: file, errno: errno) }
        ftruncate(fd, 0)
        guard sediment_watch_crashes(fd) == 0 else { throw FileError("watch for crashes with", path: file, errno: errno) }
        prepareThread()
    }

    /// Gives the calling thread a signal stack of its own, so that a stack overflow on it
    /// is still recorded as a crash. Called by every visit.
    static func prepareThread() {
        _ = sediment_prepare_signal_stack()
    }
}
