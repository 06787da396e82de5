import Foundation

/// Reading and writing the workspace's human-readable JSON files: pretty-printed, sorted keys,
/// snake_case keys, ISO-8601 dates, always written atomically (temp file + rename, `AtomicFile`).
public enum WorkspaceJSON {
    /// An encoder for specs, states and summaries (stable output: sorted keys, pretty printed).
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        return e
    }

    /// The matching decoder.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// Encodes `value` and writes it atomically to `url` (with a trailing newline).
    public static func write<T: Encodable>(_ value: T, to url: URL) throws {
        var data = try encoder().encode(value)
        data.append(0x0A)
        try AtomicFile.write(data, to: url)
    }

    /// Reads and decodes `url`; a missing file, invalid JSON or a wrong shape is a one-line error naming
    /// the file.
    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SeedScopeError.io(file: url.path, message: "cannot read: \(Self.reason(error))")
        }
        do { return try decoder().decode(T.self, from: data) } catch let e as DecodingError {
            throw SeedScopeError.invalid(file: url.path, message: "invalid \(T.self) JSON: \(describe(e))")
        }
    }

    /// Like `read`, but nil when the file does not exist.
    public static func readIfPresent<T: Decodable>(_ type: T.Type, from url: URL) throws -> T? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(type, from: url)
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(u.code)))
        }
        return ns.code == NSFileReadNoSuchFileError ? "no such file" : ns.localizedDescription
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch e {
        case let .keyNotFound(k, c): return "missing key \"\(path(c.codingPath + [k]))\""
        case let .typeMismatch(_, c): return "wrong type at \"\(path(c.codingPath))\""
        case let .valueNotFound(_, c): return "null at \"\(path(c.codingPath))\""
        case let .dataCorrupted(c):
            return c.codingPath.isEmpty ? "not valid JSON" : "bad value at \"\(path(c.codingPath))\": \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
