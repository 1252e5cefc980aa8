package modtools.elf.module;

/**
 * What the module reader does with a zstd file whose first frame header does not record the
 * size of its content (zstd writes none when it compresses a pipe). kmod 30 streams such a
 * file like any other; kmod 31 and later size their one output buffer from the header and
 * refuse the file ({@code zstd: Failed to determine decompression size}, EINVAL), as they do
 * when the header gives 0 or cannot be read. The caller's kmod level picks one.
 */
public enum UnsizedZstd {
    STREAM,
    REFUSE
}
