import Foundation
import SedimentNetwork

/// A file system operation that failed: which operation, on which path, and why in words
/// (never Foundation's `NSCocoaErrorDomain Code=…` text).
public struct FileError: CodedFailure, CustomStringConvertible {
    /// What was being done, as a verb phrase: "create the export folder".
    public var operation: String
    public var path: String
    /// Why it failed, in words.
    public var cause: String

    public init(_ operation: String, path: String, cause: String) {
        self.operation = operation
        self.path = path
        self.cause = cause
    }

    /// From a failed system call's `errno`.
    public init(_ operation: String, path: String, errno code: Int32) {
        self.init(operation, path: path, cause: Self.words(errno: code))
    }

    /// From an error Foundation threw.
    public init(_ operation: String, path: String, error: Error) {
        self.init(operation, path: path, cause: Self.cause(of: error))
    }

    public var description: String { "cannot \(operation) \(path): \(cause)" }

    /// Runs `body`, turning whatever Foundation throws into a ``FileError`` for `operation` on `path`.
    public static func wrap<T>(_ operation: String, path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(operation, path: path, error: error)
        }
    }

    /// An `errno` in words, with what it usually means for a path.
    public static func words(errno code: Int32) -> String {
        switch code {
        case ENOTDIR: return "a part of the path is a file, not a folder"
        case EEXIST: return "something of that name exists already"
        case EISDIR: return "it is a folder"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case ENOSPC: return "no space left on the device"
        case ENOENT: return "no such file or folder"
        default: return String(cString: strerror(code))
        }
    }

    /// The cause of an error Foundation threw, in words: the underlying `errno` when it has
    /// one, else what its Cocoa code means.
    public static func cause(of error: Error) -> String {
        if let error = error as? FileError { return error.cause }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return words(errno: Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return words(errno: Int32(underlying.code))
        }
        guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteFileExists: return "something of that name exists already"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteInvalidFileName: return "the name is not a valid file name"
        case .fileReadCorruptFile: return "the file is damaged"
        case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the text is not in the expected encoding"
        default:
            // Foundation often gives no errno (a file in the way is "error 512"): look for it.
            if let path = path(of: error), let blocker = fileInTheWay(of: path) { return "\(blocker) is a file, not a folder" }
            return "the file system refused the operation (Foundation file error \(ns.code))"
        }
    }

    /// The first existing ancestor of `path` (or `path`'s parent) that is not a folder, if any.
    static func fileInTheWay(of path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        var info = stat()
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            guard stat(prefix, &info) == 0 else { return nil }
            if info.st_mode & S_IFMT != S_IFDIR { return prefix }
        }
        return nil
    }

    /// Whether `error` came from Foundation's file APIs (and should be shown through ``cause(of:)``).
    public static func isFoundationFileError(_ error: Error) -> Bool {
        let domain = (error as NSError).domain
        return domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }

    /// The path a Foundation error names, if any.
    public static func path(of error: Error) -> String? {
        let info = (error as NSError).userInfo
        if let path = info[NSFilePathErrorKey] as? String { return path }
        return (info[NSURLErrorKey] as? URL)?.path
    }
}

extension FileError {
    /// A file operation of this machine failed.
    public var code: FailureCode { .localIO }
}
