package modtools.link;

/**
 * Where an allocated section goes, in image order. {@code DATA} and {@code BSS} share the
 * header's data region ([rodata_end, core_size)); bss comes last so that its zeros are the tail
 * of the core part.
 */
public enum Region {
    TEXT("text"),
    RODATA("rodata"),
    DATA("data"),
    BSS("bss"),
    INIT_TEXT("init-text"),
    INIT_DATA("init-data");

    private final String label;

    Region(String label) {
        this.label = label;
    }

    /** The word the map file uses. */
    public String label() {
        return label;
    }
}
