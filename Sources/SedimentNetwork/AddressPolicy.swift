#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which network addresses Sediment may connect to for a URL that came from hub data.
///
/// An index entry, an LFS batch answer or a `.lfsconfig` file chooses the URL Sediment
/// fetches; pointed at `http://169.254.169.254/` or a service on the private network, it would
/// make Sediment a proxy into the machine's own network (server-side request forgery). For
/// such URLs the addresses a host name resolves to are checked at connect time (the address
/// checked is the one connected to: no second lookup) and internal ones are refused unless a
/// network of ``allowedNetworks`` holds them. URLs the operator configured are not checked.
public struct AddressPolicy: Sendable, Equatable {
    /// Networks that may be reached even though they are internal (`[security] allow_networks`).
    public var allowedNetworks: [Network]

    public init(allowedNetworks: [Network] = []) {
        self.allowedNetworks = allowedNetworks
    }

    /// Why `address` is refused, or nil when it may be connected to.
    public func refusal(_ address: UnsafePointer<sockaddr>) -> String? {
        guard let ip = IPAddress(address) else { return nil }
        guard let kind = ip.internalKind else { return nil }
        if allowedNetworks.contains(where: { $0.contains(ip) }) { return nil }
        return "\(ip) is \(kind)"
    }

    /// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address).
    public struct Network: Sendable, Equatable, CustomStringConvertible {
        public var address: IPAddress
        public var prefix: Int

        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1)
            guard let first = parts.first, let address = IPAddress(String(first)) else { return nil }
            let bits = address.bytes.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : bits
            guard let prefix, (0...bits).contains(prefix) else { return nil }
            (self.address, self.prefix) = (address, prefix)
        }

        public func contains(_ ip: IPAddress) -> Bool {
            let candidate = ip.unmappedV4 ?? ip
            guard candidate.bytes.count == address.bytes.count else { return false }
            var remaining = prefix
            for (a, b) in zip(candidate.bytes, address.bytes) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if a & mask != b & mask { return false }
                remaining -= 8
            }
            return true
        }

        public var description: String { "\(address)/\(prefix)" }
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in.self).pointee
            bytes = withUnsafeBytes(of: v4.sin_addr.s_addr) { Array($0) }
        case AF_INET6:
            let v6 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in6.self).pointee
            bytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }

    public init?(_ text: String) {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`).
    var unmappedV4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        var copy = self
        copy.bytes = Array(bytes[12...])
        return copy
    }

    /// What kind of internal address this is, or nil for a public one.
    public var internalKind: String? {
        if let v4 = unmappedV4 { return v4.internalKind }
        let b = bytes
        if b.count == 4 {
            switch (b[0], b[1]) {
            case (0, _): return "an unspecified address"
            case (10, _): return "a private address"
            case (127, _): return "a loopback address"
            case (169, 254): return b[2] == 169 && b[3] == 254 ? "the cloud metadata address" : "a link-local address"
            case (172, 16...31): return "a private address"
            case (192, 168): return "a private address"
            case (100, 64...127): return "a shared (carrier-grade NAT) address"
            case (192, 0) where b[2] == 0: return "a protocol-assignment address"
            case (198, 18...19): return "a benchmarking address"
            case (224...255, _): return "a multicast or reserved address"
            default: return nil
            }
        }
        if b.allSatisfy({ $0 == 0 }) { return "an unspecified address" }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "a loopback address" }
        if b[0] & 0xFE == 0xFC { return b == [0xFD, 0x00, 0x0E, 0xC2] + Array(repeating: 0, count: 10) + [0x02, 0x54] ? "the cloud metadata address" : "a private (unique local) address" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "a link-local address" }
        if b[0] == 0xFF { return "a multicast address" }
        if b[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0][...] { return "an IPv4-compatible address" }
        return nil
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
