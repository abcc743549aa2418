import Foundation
import SedimentHTTP
import SedimentStore

/// Whether a failed visit failed for want of a resource of this machine — file descriptors
/// (EMFILE, ENFILE), disk space or quota (ENOSPC, EDQUOT), memory (ENOMEM) — rather than
/// because of the package or its server. Such a failure says nothing of the package: it is
/// recorded, but it never advances the package's failure count, backoff or parking (an
/// attack that exhausts descriptors must not leave packages parked for a week after it).
public enum LocalResourceFailure {
    /// The errno values that mean this machine ran out of something.
    static let codes: Set<Int32> = [EMFILE, ENFILE, ENOSPC, EDQUOT, ENOMEM]

    /// How those failures read once an error has become text (strerror's words, SQLite's,
    /// Sediment's own).
    static let phrases: [String] = codes.map { String(cString: strerror($0)).lowercased() }
        + ["database or disk is full", "too many open files", FileError.words(errno: ENOSPC)]

    /// Whether `error` is a local resource failure. Text a server sent (a `remote:` message,
    /// an HTTP answer) never counts: a server cannot make its failures look like ours.
    public static func matches(_ error: Error) -> Bool {
        if let code = errno(of: error) { return codes.contains(code) }
        if (error as NSError).domain == NSCocoaErrorDomain, CocoaError.Code(rawValue: (error as NSError).code) == .fileWriteOutOfSpace { return true }
        if let http = error as? HTTPError {
            // Only a request that got no answer can have failed here.
            guard case .transport = http.kind else { return false }
            return matches(message: http.message)
        }
        // libgit2's "out of memory" is not counted: a repository can provoke it (an object
        // that claims a huge size), and then it is the package's failure.
        return matches(message: String(describing: error))
    }

    /// Whether an error's text says a local resource ran out.
    public static func matches(message: String) -> Bool {
        let text = message.lowercased()
        if text.contains("remote:") || text.contains("remote error") || text.contains("status code") { return false }
        // As the cause of a message ("open …: Too many open files"), not inside a name.
        return phrases.contains { text.contains(": " + $0) || text.contains("(" + $0) || text.hasPrefix($0) }
    }

    /// The errno an error carries, when it carries one.
    private static func errno(of error: Error) -> Int32? {
        if let posix = error as? POSIXError { return posix.code.rawValue }
        if case BlobStoreError.io(_, _, let code)? = error as? BlobStoreError { return code }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain { return Int32(underlying.code) }
        return nil
    }
}
