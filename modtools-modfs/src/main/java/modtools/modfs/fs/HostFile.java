package modtools.modfs.fs;

import java.util.Arrays;
import modtools.modfs.host.HostLog;
import modtools.modfs.host.Taint;

/** A read-only file in the root whose bytes come from the host: {@code version}, {@code symbols}, {@code log}. */
final class HostFile extends Node {
    /** Where the bytes come from. */
    sealed interface Content permits Fixed, Log, Tainted {}

    record Fixed(byte[] bytes) implements Content {}

    record Log(HostLog log) implements Content {}

    record Tainted(Taint taint) implements Content {}

    final Content content;

    HostFile(long id, Content content) {
        super(id);
        this.content = content;
    }

    long size() {
        if (content instanceof Log l) {
            return l.log().length();
        }
        return content instanceof Fixed f ? f.bytes().length : ((Tainted) content).taint().render().length;
    }

    byte[] read(long offset, int size) {
        if (content instanceof Log l) {
            return l.log().read(offset, size);
        }
        byte[] bytes = content instanceof Fixed f ? f.bytes() : ((Tainted) content).taint().render();
        if (offset < 0 || offset >= bytes.length) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(bytes.length, offset + size));
    }
}
