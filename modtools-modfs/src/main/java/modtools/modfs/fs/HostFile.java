package modtools.modfs.fs;

import java.util.Arrays;
import java.util.function.Supplier;
import modtools.modfs.host.HostLog;
import modtools.modfs.host.Taint;

/** A read-only file in the root whose bytes come from the host: {@code version}, {@code symbols}, {@code log}. */
final class HostFile extends Node {
    /** Where the bytes come from. */
    sealed interface Content permits Fixed, Log, Tainted, Generated {}

    record Fixed(byte[] bytes) implements Content {}

    record Log(HostLog log) implements Content {}

    record Tainted(Taint taint) implements Content {}

    /** Made afresh at each read, from the tree as it is then. */
    record Generated(Supplier<byte[]> bytes) implements Content {}

    final Content content;

    HostFile(long id, Content content) {
        super(id);
        this.content = content;
    }

    long size() {
        if (content instanceof Log l) {
            return l.log().length();
        }
        return bytes().length;
    }

    byte[] read(long offset, int size) {
        if (content instanceof Log l) {
            return l.log().read(offset, size);
        }
        byte[] bytes = bytes();
        if (offset < 0 || offset >= bytes.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(bytes.length, offset + size));
    }

    /** The bytes of a file whose content is not the log. */
    private byte[] bytes() {
        if (content instanceof Fixed f) {
            return f.bytes();
        }
        return content instanceof Tainted t ? t.taint().render() : ((Generated) content).bytes().get();
    }
}
