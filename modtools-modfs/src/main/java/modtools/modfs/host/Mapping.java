package modtools.modfs.host;

/** Module memory: {@code length} bytes (whole pages) at {@code address}, below 2 GiB. */
public record Mapping(long address, long length) {
    public long end() {
        return address + length;
    }
}
