package modtools.link;

/** An input section at its place in the image. */
public record Placement(int index, String name, Region region, long address, long size, long alignment) {
    public long end() {
        return address + size;
    }
}
