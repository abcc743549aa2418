import CGitStream
import Foundation

/// One fetch's limits, installed for the calling thread's libgit2 streams between `begin` and `end`.
final class TransferWatch {
    let limits: TransferLimits
    private let state: UnsafeMutablePointer<sediment_git_transfer>
    private let stopCheck: (() -> Bool)?

    init(limits: TransferLimits, shouldStop: (() -> Bool)?) {
        self.limits = limits
        stopCheck = shouldStop
        state = .allocate(capacity: 1)
        state.initialize(to: sediment_git_transfer())
        state.pointee.connect_timeout_ms = TransferLimits.milliseconds(limits.connectTimeout)
        state.pointee.stall_timeout_ms = TransferLimits.milliseconds(limits.stallTimeout)
        if let deadline = limits.deadline {
            // The stream's clock is CLOCK_MONOTONIC: the deadline as a delay from now.
            let remaining = deadline.timeIntervalSinceNow
            state.pointee.deadline_ms = sediment_git_clock_ms() + Int64(max(0, remaining) * 1000)
        }
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Installs the limits on this thread; call ``end()`` on the same thread once libgit2 has
    /// freed the remote (its streams point at this watch).
    func begin() {
        state.pointee.payload = Unmanaged.passUnretained(self).toOpaque()
        if limits.addressPolicy != nil {
            state.pointee.address_refused = { address, reason, size, payload in
                let watch = Unmanaged<TransferWatch>.fromOpaque(payload!).takeUnretainedValue()
                guard let address, let why = watch.limits.addressPolicy?.refusal(address) else { return 0 }
                watch.refusal = why
                if let reason, size > 0 {
                    let bytes = Array(why.utf8.prefix(size - 1)) + [0]
                    bytes.withUnsafeBufferPointer { UnsafeMutableRawPointer(reason).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                }
                return 1
            }
        }
        if stopCheck != nil {
            state.pointee.should_stop = { payload in
                let watch = Unmanaged<TransferWatch>.fromOpaque(payload!).takeUnretainedValue()
                return watch.stopCheck?() == true ? 1 : 0
            }
        }
        sediment_git_transfer_begin(state)
    }

    func end() {
        sediment_git_transfer_end()
    }

    /// Why the last address was refused by the policy, if one was.
    var refusal: String?

    /// Whether the deadline has passed already (the fetch should not start).
    var deadlinePassed: Bool {
        limits.deadline.map { $0 <= Date() } ?? false
    }

    /// The timeout that stopped the transfer, if a limit did (nil after a stop request or none).
    func timeout(phase: TransferPhase, url: String) -> TransferTimeout? {
        let outcome = Int(state.pointee.outcome)
        if outcome == Int(SEDIMENT_GIT_TRANSFER_CONNECT_TIMEOUT) {
            return TransferTimeout(limit: .connect(limits.connectTimeout), phase: .connect, url: url)
        } else if outcome == Int(SEDIMENT_GIT_TRANSFER_STALLED) {
            return TransferTimeout(limit: .stall(limits.stallTimeout), phase: phase, url: url)
        } else if outcome == Int(SEDIMENT_GIT_TRANSFER_DEADLINE) {
            return TransferTimeout(limit: .deadline, phase: phase, url: url)
        }
        return nil
    }
}
