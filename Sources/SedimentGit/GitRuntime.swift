import CGit2
import CGitStream
import Foundation

/// Process-wide libgit2 set-up: initialises the library once and isolates it from every
/// system, global and XDG git configuration, so that a mirror behaves the same whoever runs it
/// (`/etc/gitconfig` may rewrite URLs or add credential helpers).
public enum GitRuntime {
    private static let initialised: Bool = {
        git_libgit2_init()
        for level in [GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL] {
            _ = sediment_git_set_search_path(Int32(level.rawValue), "")
        }
        // Mirrors are created and owned by Sediment itself.
        _ = sediment_git_set_owner_validation(0)
        _ = sediment_git_set_user_agent("sediment/\(version)")
        // Every TCP connection (http, https, git://) through Sediment's stream, which has
        // connect, stall and deadline limits (see TransferLimits).
        _ = sediment_git_stream_register()
        for bundle in ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
        where FileManager.default.fileExists(atPath: bundle) {
            _ = sediment_git_set_ssl_cert_file(bundle)
            break
        }
        return true
    }()

    /// Sediment's version, as sent in the user agent.
    public static let version = "0.1.0"

    /// Initialises libgit2 (idempotent, thread-safe).
    public static func ensureInitialised() {
        _ = initialised
    }

    /// The libgit2 version this process runs with, e.g. "1.5.1".
    public static var libgit2Version: String {
        ensureInitialised()
        var major: Int32 = 0, minor: Int32 = 0, rev: Int32 = 0
        git_libgit2_version(&major, &minor, &rev)
        return "\(major).\(minor).\(rev)"
    }
}
