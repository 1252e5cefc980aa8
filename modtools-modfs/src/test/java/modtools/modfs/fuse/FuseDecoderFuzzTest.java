package modtools.modfs.fuse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The FUSE request decoder and reply encoder on any bytes from the kernel's side: the input is
 * cut into requests by each one's length field and served against a filesystem that answers
 * everything with plausible values (so that no fuzzed request runs module code). A request may
 * be refused; none may cost the session an exception (which it would answer with EIO), and
 * every reply must be as long as its header says and name a request that was sent.
 */
class FuseDecoderFuzzTest {
    private static final int EIO = 5;

    /** Hands out the input one request at a time, then ENODEV; checks every reply. */
    private static final class Requests implements FuseChannel {
        private final ByteBuffer input;

        Requests(byte[] bytes) {
            this.input = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public long read(ByteBuffer buffer) {
            if (input.remaining() < 4) {
                return -Errno.ENODEV;
            }
            int declared = input.getInt(input.position());
            int length = Math.max(4, Math.min(input.remaining(), Math.min(buffer.capacity(), declared < 0 ? 0 : declared)));
            ByteBuffer chunk = input.slice(input.position(), length);
            input.position(input.position() + length);
            buffer.put(chunk);
            return length;
        }

        @Override
        public void write(ByteBuffer buffer, int length) {
            ByteBuffer reply = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            if (reply.getInt(0) != length || length < 16 || length > reply.capacity()) {
                throw new AssertionError("a reply of " + length + " bytes whose header says " + reply.getInt(0));
            }
            if (reply.getInt(4) == -EIO) {
                throw new AssertionError("a request cost the session an exception (answered EIO)");
            }
        }
    }

    /** Answers every operation with a small, valid value. */
    private static final class Plausible implements FuseFilesystem {
        private static final Attr DIR = new Attr(ROOT, Attr.S_IFDIR | 0755, 2, 0, 0, 0);
        private static final Attr FILE = new Attr(2, Attr.S_IFREG | 0644, 1, 3, 0, 0);

        private static Attr of(long node) {
            return node == ROOT ? DIR : FILE;
        }

        @Override
        public Outcome<Attr> lookup(long parent, String name) {
            return name.equals("f") ? Outcome.done(FILE) : Outcome.failed(Errno.ENOENT, "no " + name);
        }

        @Override
        public void forget(long node, long count) { }

        @Override
        public Outcome<Attr> getattr(long node) {
            return Outcome.done(of(node));
        }

        @Override
        public Outcome<Attr> setattr(Caller caller, long node, SetAttr change) {
            return Outcome.done(of(node));
        }

        @Override
        public Outcome<Attr> mkdir(Caller caller, long parent, String name) {
            return Outcome.done(DIR);
        }

        @Override
        public Outcome<Attr> create(Caller caller, long parent, String name, boolean exclusive) {
            return Outcome.done(FILE);
        }

        @Override
        public Outcome<Void> unlink(Caller caller, long parent, String name) {
            return Outcome.done(null);
        }

        @Override
        public Outcome<Void> rmdir(Caller caller, long parent, String name) {
            return Outcome.done(null);
        }

        @Override
        public Outcome<Void> open(Caller caller, long node, boolean forWriting) {
            return Outcome.done(null);
        }

        @Override
        public Outcome<byte[]> read(Caller caller, long node, long offset, int size) {
            return Outcome.done(new byte[] {'a', 'b', 'c'});
        }

        @Override
        public CompletionStage<Outcome<Integer>> write(Caller caller, long node, long offset, ByteBuffer data) {
            return CompletableFuture.completedFuture(Outcome.done(data.remaining()));
        }

        @Override
        public Outcome<List<DirEntry>> readdir(long node) {
            return Outcome.done(List.of(new DirEntry(".", ROOT, true), new DirEntry("..", ROOT, true),
                    new DirEntry("f", 2, false)));
        }

        @Override
        public Outcome<Void> mayLock(Caller caller) {
            return caller.uid() == 0 ? Outcome.done(null) : Outcome.failed(Errno.EACCES, "not root");
        }
    }

    @FuzzTest(maxDuration = "10m")
    void requests(byte[] bytes) {
        new FuseSession(new Requests(bytes), new Plausible()).serve();
    }
}
