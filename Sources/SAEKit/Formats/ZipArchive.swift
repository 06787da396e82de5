import CZlib
import Foundation

/// One member of a ZIP archive, as listed in the central directory.
public struct ZipEntry: Sendable, Equatable {
    /// Member name (UTF-8 as stored; `W_enc.npy` in an `.npz`).
    public var name: String
    /// Compression method: 0 = STORED, 8 = DEFLATE (the only two supported).
    public var method: UInt16
    /// CRC-32 of the uncompressed bytes.
    public var crc32: UInt32
    public var compressedSize: Int
    public var uncompressedSize: Int
    /// Offset of the member's local file header from the start of the archive.
    public var localHeaderOffset: Int
}

/// A read-only, memory-mapped ZIP archive (PKWARE APPNOTE 6.3.x): the central directory is parsed
/// from the end-of-central-directory record (ZIP64 records when the 32-bit fields overflow, as for a
/// 9.7 GB Gemma Scope `W_enc`), members are STORED (read in place, no copy) or DEFLATE (inflated with
/// zlib). Every member's CRC-32 is checked when it is read, so truncated or corrupted archives fail
/// with a one-line error naming the file and the member.
///
/// numpy's `savez` writes every member with `force_zip64=True`: the local headers carry 0xFFFFFFFF
/// sizes plus a ZIP64 extra field, while the central directory holds the real sizes. The reader
/// therefore takes sizes from the central directory and only uses the local header to find the data.
public final class ZipArchive: @unchecked Sendable {
    /// The archive's path (used in every error).
    public let path: String
    /// Members in central-directory order.
    public let entries: [ZipEntry]
    private let file: MappedFile

    /// Opens and indexes `path`. O(central directory); no member data is touched.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        entries = try Self.readCentralDirectory(file.bytes, path: path)
    }

    /// The member called `name`, if any.
    public func entry(named name: String) -> ZipEntry? { entries.first { $0.name == name } }

    /// Calls `body` with the uncompressed bytes of `entry`: a view into the mapping for STORED
    /// members, an inflated buffer for DEFLATE ones. The CRC-32 is verified first.
    /// - Complexity: O(uncompressed size).
    public func withContents<R>(of entry: ZipEntry, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let buf = file.bytes
        let lh = entry.localHeaderOffset
        guard lh >= 0, lh <= buf.count - 30, Self.u32(buf, lh) == 0x0403_4B50 else {
            throw fail(entry, "local file header missing at offset \(lh) (truncated or corrupt archive)")
        }
        let start = lh + 30 + Int(Self.u16(buf, lh + 26)) + Int(Self.u16(buf, lh + 28))
        guard start <= buf.count, entry.compressedSize <= buf.count - start else {
            throw fail(entry, "data runs past the end of the file (truncated archive)")
        }
        let compressed = UnsafeRawBufferPointer(rebasing: buf[start..<(start + entry.compressedSize)])
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail(entry, "stored member with compressed size \(entry.compressedSize) ≠ size \(entry.uncompressedSize)")
            }
            try checkCRC(entry, compressed)
            return try body(compressed)
        }
        guard entry.method == 8 else { throw fail(entry, "compression method \(entry.method) is not supported (only STORED and DEFLATE)") }
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(entry.uncompressedSize, 1), alignment: 64)
        defer { out.deallocate() }
        let view = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[0..<entry.uncompressedSize])
        try inflate(entry, from: compressed, into: out)
        try checkCRC(entry, view)
        return try body(view)
    }

    // MARK: - Central directory

    private static func readCentralDirectory(_ buf: UnsafeRawBufferPointer, path: String) throws -> [ZipEntry] {
        func bad(_ m: String) -> SeedScopeError { .invalid(file: path, message: m) }
        // The end-of-central-directory record is 22 bytes plus a comment of at most 65535 bytes.
        guard buf.count >= 22 else { throw bad("not a ZIP archive (file is \(buf.count) bytes)") }
        var eocd = -1
        var p = buf.count - 22
        let lowest = max(0, buf.count - 22 - 65535)
        while p >= lowest {
            if u32(buf, p) == 0x0605_4B50, p + 22 + Int(u16(buf, p + 20)) == buf.count { eocd = p; break }
            p -= 1
        }
        guard eocd >= 0 else { throw bad("not a ZIP archive (no end-of-central-directory record; truncated or another format)") }
        var count = Int(u16(buf, eocd + 10))
        var cdSize = Int(u32(buf, eocd + 12))
        var cdOffset = Int(u32(buf, eocd + 16))
        guard u16(buf, eocd + 4) == 0, u16(buf, eocd + 6) == 0 else { throw bad("multi-disk ZIP archives are not supported") }
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // ZIP64: the locator sits right before the classic record and points at the ZIP64 record.
            let loc = eocd - 20
            guard loc >= 0, u32(buf, loc) == 0x0706_4B50 else { throw bad("ZIP64 end-of-central-directory locator missing") }
            let z = u64(buf, loc + 8)
            guard buf.count >= 56, z <= UInt64(buf.count - 56), u32(buf, Int(z)) == 0x0606_4B50 else { throw bad("ZIP64 end-of-central-directory record missing") }
            count = Int(clamping: u64(buf, Int(z) + 32))
            cdSize = Int(clamping: u64(buf, Int(z) + 40))
            cdOffset = Int(clamping: u64(buf, Int(z) + 48))
        }
        guard cdOffset >= 0, cdSize >= 0, cdOffset <= buf.count, cdSize <= buf.count - cdOffset else {
            throw bad("central directory (offset \(cdOffset), \(cdSize) bytes) lies outside the file (truncated archive)")
        }
        var entries: [ZipEntry] = []
        var q = cdOffset
        let end = cdOffset + cdSize
        for i in 0..<count {
            guard q <= end - 46, u32(buf, q) == 0x0201_4B50 else { throw bad("central directory entry \(i) is corrupt") }
            let flags = u16(buf, q + 8)
            let method = u16(buf, q + 10)
            let crc = u32(buf, q + 16)
            var csize = UInt64(u32(buf, q + 20))
            var usize = UInt64(u32(buf, q + 24))
            let nlen = Int(u16(buf, q + 28)), xlen = Int(u16(buf, q + 30)), clen = Int(u16(buf, q + 32))
            var offset = UInt64(u32(buf, q + 42))
            guard q + 46 + nlen + xlen + clen <= end else { throw bad("central directory entry \(i) runs past the directory") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: buf[(q + 46)..<(q + 46 + nlen)]), as: UTF8.self)
            guard flags & 1 == 0 else { throw bad("member \(name) is encrypted") }
            // ZIP64 extended information (header id 1): present values replace the 0xFFFFFFFF fields, in order.
            var x = q + 46 + nlen
            let xend = x + xlen
            while x + 4 <= xend {
                let id = u16(buf, x), size = Int(u16(buf, x + 2))
                guard x + 4 + size <= xend else { break }
                if id == 1 {
                    var f = x + 4
                    func next() -> UInt64? { guard f + 8 <= x + 4 + size else { return nil }; defer { f += 8 }; return u64(buf, f) }
                    if usize == 0xFFFF_FFFF, let v = next() { usize = v }
                    if csize == 0xFFFF_FFFF, let v = next() { csize = v }
                    if offset == 0xFFFF_FFFF, let v = next() { offset = v }
                }
                x += 4 + size
            }
            guard usize < UInt64(Int.max), csize < UInt64(Int.max), offset < UInt64(Int.max) else { throw bad("member \(name) has impossible sizes") }
            entries.append(ZipEntry(name: name, method: method, crc32: crc, compressedSize: Int(csize),
                                    uncompressedSize: Int(usize), localHeaderOffset: Int(offset)))
            q += 46 + nlen + xlen + clen
        }
        return entries
    }

    // MARK: - Inflate and CRC

    private func inflate(_ entry: ZipEntry, from src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        var s = z_stream()
        guard seedscope_inflate_init_raw(&s) == Z_OK else { throw fail(entry, "zlib inflateInit failed") }
        defer { inflateEnd(&s) }
        var inOff = 0, outOff = 0
        var status = Z_OK
        // avail_in/avail_out are 32-bit: feed and drain in chunks of at most 1 GiB.
        let chunk = 1 << 30
        while status == Z_OK {
            if s.avail_in == 0, inOff < src.count {
                let n = min(chunk, src.count - inOff)
                s.next_in = UnsafeMutablePointer(mutating: src.baseAddress!.advanced(by: inOff).assumingMemoryBound(to: Bytef.self))
                s.avail_in = uInt(n)
                inOff += n
            }
            if s.avail_out == 0 {
                let n = min(chunk, dst.count - outOff)
                guard n > 0 else { break }
                s.next_out = dst.baseAddress!.advanced(by: outOff).assumingMemoryBound(to: Bytef.self)
                s.avail_out = uInt(n)
                outOff += n
            }
            status = CZlib.inflate(&s, Z_NO_FLUSH)
            if status == Z_BUF_ERROR, s.avail_in == 0, inOff >= src.count { break }
        }
        guard status == Z_STREAM_END else {
            throw fail(entry, "DEFLATE data is corrupt or truncated (zlib status \(status))")
        }
        guard Int(s.total_out) == entry.uncompressedSize else {
            throw fail(entry, "inflated to \(s.total_out) bytes, central directory says \(entry.uncompressedSize)")
        }
    }

    private func checkCRC(_ entry: ZipEntry, _ data: UnsafeRawBufferPointer) throws {
        var crc = CZlib.crc32(0, nil, 0)
        var off = 0
        while off < data.count {
            let n = min(1 << 30, data.count - off)
            crc = CZlib.crc32(crc, data.baseAddress!.advanced(by: off).assumingMemoryBound(to: Bytef.self), uInt(n))
            off += n
        }
        guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else {
            throw fail(entry, "CRC-32 mismatch (corrupt or truncated archive)")
        }
    }

    @inline(never)
    private func fail(_ entry: ZipEntry, _ m: String) -> SeedScopeError {
        .invalid(file: path, message: "member \(entry.name): \(m)")
    }

    // Little-endian loads at any alignment; callers bound-check.
    @inline(__always) static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt16 { UInt16(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    @inline(__always) static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 { UInt32(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    @inline(__always) static func u64(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 { UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
}
