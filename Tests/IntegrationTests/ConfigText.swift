/// Pieces of `sediment.toml` that many tests write the same way.
enum ConfigText {
    /// `[http]` for tests: three attempts, 10 ms apart.
    static let quickRetries = """
        [http]
        max_attempts = 3
        backoff = "10ms"
        """

    /// A `[[hub]]` of kind `huggingface` named `name`, at the fixture hub's `endpoint`.
    static func huggingFaceHub(_ endpoint: String, name: String = "hf") -> String {
        """
        [[hub]]
        kind = "huggingface"
        name = "\(name)"
        endpoint = "\(endpoint)"
        """
    }
}
