import Logging
import SedimentText

/// A log handler that writes one line per event whatever the event holds: control
/// characters in the message and in metadata values (a package id, a server's error text)
/// are shown as escapes (``TerminalText``) before the wrapped handler formats the line.
struct EscapingLogHandler: LogHandler {
    var inner: any LogHandler

    /// Makes every logger of the process write escaped lines to stderr at `level` and above.
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = EscapingLogHandler(inner: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(TerminalText.escaped(event.message.description))"
        event.metadata = event.metadata.map(Self.escaped)
        inner.log(event: event)
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(escaped)
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(TerminalText.escaped(text))
        case .stringConvertible(let item): return .string(TerminalText.escaped(item.description))
        case .array(let items): return .array(items.map(escaped))
        case .dictionary(let map): return .dictionary(escaped(map))
        }
    }
}
