import Foundation
import SedimentEngine

/// The TOML configuration file's text; every duration it accepts must be a finite number of seconds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    guard let configuration = try? Configuration.parse(text, file: "sediment.toml") else { return 0 }
    // Durations become sleeps, timers and libcurl timeouts: an accepted one must be finite.
    let daemon = configuration.daemon
    for seconds in [daemon.interval, daemon.minRevisit, daemon.maxRevisit, daemon.parkedRevisit, daemon.stopTimeout,
                    configuration.http.backoff, configuration.http.timeout] {
        precondition(seconds.isFinite && seconds > 0, "an accepted duration of \(seconds) s")
    }
    return 0
}
