package modtools.modfs.fs;

import java.util.Arrays;
import modtools.modfs.host.HostLog;

/** A read-only file in the root whose bytes come from the host: {@code version}, {@code symbols}, {@code log}. */
final class HostFile extends Node {
    /** Where the bytes come from. */
    sealed interface Content permits Fixed, Log {}

    record Fixed(byte[] bytes) implements Content {}

    record Log(HostLog log) implements Content {}

    final Content content;

    HostFile(long id, Content content) {
        super(id);
        this.content = content;
    }

    long size() {
        return content instanceof Fixed f ? f.bytes().length : ((Log) content).log().length();
    }

    byte[] read(long offset, int size) {
        if (content instanceof Log l) {
            return l.log().read(offset, size);
        }
        byte[] bytes = ((Fixed) content).bytes();
        if (offset < 0 || offset >= bytes.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(bytes.length, offset + size));
    }
}
