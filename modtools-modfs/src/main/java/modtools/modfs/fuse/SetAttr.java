package modtools.modfs.fuse;

/**
 * The changes one setattr request asks for. Times are accepted and ignored (see {@link Attr});
 * mode and ownership cannot change.
 *
 * @param size the new size, or -1 when the size is not to change
 */
public record SetAttr(long size, boolean changesMode, boolean changesOwner) {
    public boolean changesSize() {
        return size >= 0;
    }
}
