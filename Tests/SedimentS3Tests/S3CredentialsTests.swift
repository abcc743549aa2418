import Foundation
import SedimentS3
import TestSupport
import XCTest

/// Where credentials, region and endpoint come from, in which order; locations; no secret in
/// any error or description.
final class S3CredentialsTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/home/.aws", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/creds", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func write(_ text: String, _ path: String) throws {
        try text.write(toFile: folder + "/" + path, atomically: true, encoding: .utf8)
    }

    var home: [String: String] { ["HOME": folder + "/home"] }

    func testEnvironment() throws {
        let credentials = try S3Credentials.resolve(environment: home.merging([
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
        ]) { $1 })
        XCTAssertEqual(credentials.accessKeyID, "AKIDENV")
        XCTAssertEqual(credentials.secretAccessKey, "env-secret")
        XCTAssertEqual(credentials.sessionToken, "env-token")
        XCTAssertEqual(credentials.source, "the environment")
        XCTAssertFalse("\(credentials)".contains("env-secret") || "\(credentials)".contains("env-token"))
    }

    func testSystemdCredentials() throws {
        try write("AKIDSYSTEMD\n", "creds/aws_access_key_id")
        try write("systemd-secret\n", "creds/aws_secret_access_key")
        let credentials = try S3Credentials.resolve(environment: home.merging(["CREDENTIALS_DIRECTORY": folder + "/creds"]) { $1 })
        XCTAssertEqual(credentials.accessKeyID, "AKIDSYSTEMD")
        XCTAssertEqual(credentials.secretAccessKey, "systemd-secret")
        XCTAssertNil(credentials.sessionToken)
        XCTAssertTrue(credentials.source.contains("systemd"))
    }

    func testSharedCredentialsFileAndProfiles() throws {
        try write("""
            # comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            [archive]
            aws_access_key_id=AKIDARCHIVE
            aws_secret_access_key=archive-secret
            aws_session_token = archive-token
            """, "home/.aws/credentials")
        let plain = try S3Credentials.resolve(environment: home)
        XCTAssertEqual(plain.accessKeyID, "AKIDDEFAULT")
        XCTAssertEqual(plain.source, "profile default of \(folder)/home/.aws/credentials")
        let named = try S3Credentials.resolve(environment: home.merging(["AWS_PROFILE": "archive"]) { $1 })
        XCTAssertEqual(named.accessKeyID, "AKIDARCHIVE")
        XCTAssertEqual(named.sessionToken, "archive-token")
        // Another file, named by AWS_SHARED_CREDENTIALS_FILE.
        try write("[default]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other-secret\n", "other-credentials")
        let other = try S3Credentials.resolve(environment: home.merging(["AWS_SHARED_CREDENTIALS_FILE": folder + "/other-credentials"]) { $1 })
        XCTAssertEqual(other.accessKeyID, "AKIDOTHER")
        // A profile that exists nowhere is an error naming it and the files.
        XCTAssertThrowsError(try S3Credentials.resolve(environment: home.merging(["AWS_PROFILE": "missing"]) { $1 })) { error in
            XCTAssertTrue("\(error)".contains("missing") && "\(error)".contains(".aws/credentials"), "\(error)")
        }
    }

    func testConfigFileKeysAndRegion() throws {
        try write("""
            [profile archive]
            region = eu-central-1
            endpoint_url = http://127.0.0.1:9000
            aws_access_key_id = AKIDCONFIG
            aws_secret_access_key = config-secret
            """, "home/.aws/config")
        let environment = home.merging(["AWS_PROFILE": "archive"]) { $1 }
        let credentials = try S3Credentials.resolve(environment: environment)
        XCTAssertEqual(credentials.accessKeyID, "AKIDCONFIG")
        let location = try S3Location(parsing: "s3://bucket-one/pre")
        let settings = try S3Settings.resolve(location: location, endpoint: nil, region: nil, environment: environment)
        XCTAssertEqual(settings.region, "eu-central-1")
        XCTAssertEqual(settings.endpoint, "http://127.0.0.1:9000")
        // The configuration wins over the environment, which wins over the file.
        let configured = try S3Settings.resolve(location: location, endpoint: "https://objects.example.org", region: "auto",
                                                environment: environment.merging(["AWS_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]) { $1 })
        XCTAssertEqual(configured.region, "auto")
        XCTAssertEqual(configured.endpoint, "https://objects.example.org")
        let fromEnvironment = try S3Settings.resolve(location: location, endpoint: nil, region: nil,
                                                     environment: environment.merging(["AWS_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]) { $1 })
        XCTAssertEqual(fromEnvironment.region, "us-west-2")
        XCTAssertEqual(fromEnvironment.endpoint, "http://127.0.0.1:1")
        let defaults = try S3Settings.resolve(location: location, endpoint: nil, region: nil, environment: [
            "HOME": folder + "/nowhere", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
        ])
        XCTAssertEqual(defaults.region, "us-east-1")
        XCTAssertEqual(defaults.endpoint, "https://s3.us-east-1.amazonaws.com")
    }

    /// The environment comes first, then systemd's credentials, then the shared file, then
    /// the config file.
    func testPrecedence() throws {
        try write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n", "home/.aws/credentials")
        try write("[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\n", "home/.aws/config")
        try write("AKIDSYSTEMD", "creds/aws_access_key_id")
        try write("systemd-secret", "creds/aws_secret_access_key")
        let all = home.merging(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "CREDENTIALS_DIRECTORY": folder + "/creds"]) { $1 }
        XCTAssertEqual(try S3Credentials.resolve(environment: all).accessKeyID, "AKIDENV")
        var rest = all
        rest["AWS_ACCESS_KEY_ID"] = nil
        rest["AWS_SECRET_ACCESS_KEY"] = nil
        XCTAssertEqual(try S3Credentials.resolve(environment: rest).accessKeyID, "AKIDSYSTEMD")
        rest["CREDENTIALS_DIRECTORY"] = nil
        XCTAssertEqual(try S3Credentials.resolve(environment: rest).accessKeyID, "AKIDFILE")
        try FileManager.default.removeItem(atPath: folder + "/home/.aws/credentials")
        XCTAssertEqual(try S3Credentials.resolve(environment: rest).accessKeyID, "AKIDCONFIG")
    }

    func testMissingAndHalfCredentialsAreErrorsWithoutSecrets() throws {
        XCTAssertThrowsError(try S3Credentials.resolve(environment: home)) { error in
            XCTAssertTrue("\(error)".contains("no credentials found") && "\(error)".contains("AWS_ACCESS_KEY_ID"), "\(error)")
        }
        XCTAssertThrowsError(try S3Credentials.resolve(environment: home.merging(["AWS_SECRET_ACCESS_KEY": "half-secret"]) { $1 })) { error in
            XCTAssertTrue("\(error)".contains("AWS_ACCESS_KEY_ID"), "\(error)")
            XCTAssertFalse("\(error)".contains("half-secret"), "\(error)")
        }
    }

    func testLocations() throws {
        let location = try S3Location(parsing: "s3://my-bucket/archive/sediment/")
        XCTAssertEqual(location.bucket, "my-bucket")
        XCTAssertEqual(location.prefix, "archive/sediment")
        XCTAssertEqual(location.key("packs/ab/x.pack"), "archive/sediment/packs/ab/x.pack")
        XCTAssertEqual("\(location)", "s3://my-bucket/archive/sediment")
        let whole = try S3Location(parsing: "s3://my-bucket")
        XCTAssertEqual(whole.prefix, "")
        XCTAssertEqual(whole.key("objects/ab/c"), "objects/ab/c")
        for (bad, problem) in [("https://my-bucket/x", "starts with s3://"), ("s3:///x", "no bucket"), ("s3://My_Bucket/x", "bucket name"),
                               ("s3://ab/x", "3 to 63"), ("s3://my-bucket/a//b", "empty"), ("s3://my-bucket/a/../b", "\"..\""),
                               ("s3://key:secret@my-bucket/x", "credentials"), ("s3://my-bucket/a b", "only letters")] {
            XCTAssertThrowsError(try S3Location(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains(problem), "\(bad): \(error)")
                XCTAssertFalse("\(error)".contains("secret@"), "\(error)")
            }
        }
        XCTAssertThrowsError(try S3Settings.resolve(location: location, endpoint: "ftp://host", region: nil,
                                                    environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"]))
    }
}
