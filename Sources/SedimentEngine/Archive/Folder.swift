import Foundation

/// Folders Sediment creates (the storage folder, an export folder), made with `mkdir(2)` so
/// that a failure says why in words: Foundation's `createDirectory` reports a file in the
/// way only as `NSCocoaErrorDomain error 512`.
public enum Folder {
    /// Creates `path` and its parents (as `mkdir -p`) unless it is a folder already; throws a
    /// ``FileError`` for `operation` naming what is in the way or what refused.
    public static func make(_ path: String, operation: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw FileError(operation, path: path, cause: "it is a file, not a folder") }
            return
        }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 { continue }
            let code = errno
            if code == EEXIST, stat(prefix, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { continue }
            throw FileError(operation, path: path, cause: code == EEXIST || code == ENOTDIR
                            ? "\(prefix) is a file, not a folder" : FileError.words(errno: code))
        }
    }
}
