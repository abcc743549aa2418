import CGit2
import SedimentNetwork
import SedimentRedaction

/// An error reported by libgit2, with the operation that failed and what it concerned.
///
/// The `context` names a repository path or a URL; URLs are stored with any
/// credentials removed (see ``GitURL/redacted(_:)``), so an error is always safe to log.
/// Its ``code`` says what kind of failure it is, decided once when the error is made
/// (``GitError/classify(resultCode:errorClass:message:)``):
///
///     catch let error as GitError where error.code == .notFound { … }
public struct GitError: RetryableFailure, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public var code: FailureCode
    /// libgit2's return code (`git_error_code`), e.g. `GIT_ENOTFOUND` (-3).
    public var resultCode: Int32
    /// libgit2's error class (`git_error_t`), e.g. `GIT_ERROR_NET` (12).
    public var errorClass: Int32
    /// libgit2's own message, or a message of Sediment's when libgit2 gave none.
    public var message: String
    /// The libgit2 call or the step that failed ("fetch", "open repository", …).
    public var operation: String
    /// The repository path or URL the operation concerned.
    public var context: String

    /// An error with the code libgit2's `resultCode`, `errorClass` and `message` say, unless
    /// `code` is given.
    public init(resultCode: Int32, errorClass: Int32 = 0, message: String, operation: String, context: String, code: FailureCode? = nil) {
        self.code = code ?? Self.classify(resultCode: resultCode, errorClass: errorClass, message: message)
        self.resultCode = resultCode
        self.errorClass = errorClass
        self.message = message
        self.operation = operation
        self.context = context
    }

    /// The name of `errorClass` as libgit2 spells it ("net", "http", "odb", …).
    public var className: String {
        let names: [Int32: String] = [
            0: "none", 1: "nomemory", 2: "os", 3: "invalid", 4: "reference", 5: "zlib",
            6: "repository", 7: "config", 8: "regex", 9: "odb", 10: "index", 11: "object",
            12: "net", 13: "tag", 14: "tree", 15: "indexer", 16: "ssl", 17: "submodule",
            18: "thread", 19: "stash", 20: "checkout", 21: "fetchhead", 22: "merge",
            23: "ssh", 24: "filter", 25: "revert", 26: "callback", 27: "cherrypick",
            28: "describe", 29: "rebase", 30: "filesystem", 31: "patch", 32: "worktree",
            33: "sha1", 34: "http", 35: "internal",
        ]
        return names[errorClass] ?? "class \(errorClass)"
    }

    public var description: String {
        // An error Sediment raised itself (class none, code -1) has no libgit2 code to name.
        errorClass == 0 && resultCode == -1
            ? "\(operation) \(context): \(message)"
            : "\(operation) \(context): \(message) (libgit2 \(className) error \(resultCode))"
    }
}

/// Turns a libgit2 return code into a thrown ``GitError`` carrying `git_error_last()`.
///
/// Must be called on the thread that made the call: libgit2's last error is per thread.
@discardableResult
func check(_ rc: Int32, _ operation: String, _ context: String) throws -> Int32 {
    guard rc < 0 else { return rc }
    throw lastError(rc, operation, context)
}

func lastError(_ rc: Int32, _ operation: String, _ context: String) -> GitError {
    var message = "unknown libgit2 error"
    var klass: Int32 = 0
    if let last = git_error_last() {
        klass = last.pointee.klass
        if let text = last.pointee.message {
            message = Redaction.url(String(cString: text))
        }
    }
    git_error_clear()
    return GitError(resultCode: rc, errorClass: klass, message: message, operation: operation, context: context)
}
