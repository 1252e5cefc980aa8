package modtools.elf;

/**
 * Brings part of a file into the buffer an {@link ElfFile} reads, for an object read from its
 * file piece by piece rather than mapped whole. depmod needs about a sixth of each module's
 * bytes (the headers, the symbols and a few small sections); reading only those into memory it
 * reuses from module to module costs less than mapping each of thousands of files, faulting its
 * pages in and unmapping it again (the unmap interrupts every other core to flush its TLB).
 * The ELF reader loads each range before it reads it: the header, the section header table, the
 * section names and each section whose contents are asked for; {@link ElfFile#bytes} loads all.
 */
public interface RangeLoader {
    /** Everything is in the buffer already: a mapping, a decompressed image. */
    RangeLoader RESIDENT = new RangeLoader() {
        @Override
        public void load(long offset, long length) {
        }
    };

    /**
     * Makes bytes {@code [offset, offset + length)} of the file readable in the buffer; what lies
     * past the end of the file is left out. A read that fails throws
     * {@link java.io.UncheckedIOException}, which the owner of the image turns back into its cause.
     */
    void load(long offset, long length);
}
