import Foundation
import SedimentNetwork
import XCTest

final class AddressPolicyTests: XCTestCase {
    func kind(_ text: String) -> String? { IPAddress(text)?.internalKind }

    func testInternalAddressesAreNamed() {
        XCTAssertEqual(kind("127.0.0.1"), "a loopback address")
        XCTAssertEqual(kind("10.1.2.3"), "a private address")
        XCTAssertEqual(kind("172.20.0.1"), "a private address")
        XCTAssertNil(kind("172.32.0.1"))
        XCTAssertEqual(kind("192.168.1.1"), "a private address")
        XCTAssertEqual(kind("169.254.169.254"), "the cloud metadata address")
        XCTAssertEqual(kind("169.254.1.1"), "a link-local address")
        XCTAssertEqual(kind("100.100.100.200"), "a shared (carrier-grade NAT) address")
        XCTAssertEqual(kind("0.0.0.0"), "an unspecified address")
        XCTAssertEqual(kind("::1"), "a loopback address")
        XCTAssertEqual(kind("fd00:ec2::254"), "the cloud metadata address")
        XCTAssertEqual(kind("fd12::1"), "a private (unique local) address")
        XCTAssertEqual(kind("fe80::1"), "a link-local address")
        XCTAssertEqual(kind("::ffff:10.0.0.1"), "a private address", "IPv4-mapped addresses are judged as IPv4")
        XCTAssertNil(kind("8.8.8.8"))
        XCTAssertNil(kind("2606:4700::1111"))
    }

    func testAllowedNetworks() throws {
        let policy = AddressPolicy(allowedNetworks: [try XCTUnwrap(AddressPolicy.Network("10.0.0.0/8")),
                                                     try XCTUnwrap(AddressPolicy.Network("::1"))])
        func refusal(_ text: String) -> String? {
            var storage = sockaddr_storage()
            if text.contains(":") {
                var v6 = sockaddr_in6()
                v6.sin6_family = sa_family_t(AF_INET6)
                inet_pton(AF_INET6, text, &v6.sin6_addr)
                withUnsafeBytes(of: v6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            } else {
                var v4 = sockaddr_in()
                v4.sin_family = sa_family_t(AF_INET)
                inet_pton(AF_INET, text, &v4.sin_addr)
                withUnsafeBytes(of: v4) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            }
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { policy.refusal($0) } }
        }
        XCTAssertNil(refusal("10.9.8.7"))
        XCTAssertNil(refusal("::1"))
        XCTAssertNil(refusal("1.1.1.1"))
        XCTAssertEqual(refusal("127.0.0.1"), "127.0.0.1 is a loopback address")
        XCTAssertEqual(refusal("169.254.169.254"), "169.254.169.254 is the cloud metadata address")
        XCTAssertNil(AddressPolicy.Network("10.0.0.0/33"))
        XCTAssertNil(AddressPolicy.Network("example.org"))
    }
}
