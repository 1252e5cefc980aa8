package modtools.link;

/**
 * Where a relocation is: the object, the section it patches, the offset in that section, its
 * type's name and the symbol it names.
 */
public record Site(String file, String section, long offset, String type, String symbol) {
    @Override
    public String toString() {
        return file + ": " + section + "+0x" + Long.toHexString(offset) + ": " + type + " against '" + symbol + "'";
    }
}
