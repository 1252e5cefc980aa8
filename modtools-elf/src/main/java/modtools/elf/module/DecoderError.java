package modtools.elf.module;

/**
 * A compressed module file its decoder rejected: the file as named, the format, and the line
 * kmod's decoder logs for it, in the words of the C library kmod uses ({@code xz: File is
 * corrupt}, {@code zstd: Data corruption detected}). kmod fails such a file with EINVAL after
 * logging that line, before the kernel sees anything, whichever way the module was to be loaded.
 */
public record DecoderError(String file, Compression format, String words) {}
