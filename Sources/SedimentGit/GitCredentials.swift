/// Credentials for HTTPS (user name and token) or SSH (the user's ssh-agent).
public struct GitCredentials: Sendable {
    public var username: String
    public var password: String?

    /// HTTPS basic credentials; `password` is usually a token. Never logged.
    public init(username: String, password: String?) {
        self.username = username
        self.password = password
    }
}
