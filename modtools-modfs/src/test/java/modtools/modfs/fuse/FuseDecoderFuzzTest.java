package modtools.modfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The FUSE request decoder and reply encoder on any bytes from the kernel's side: the input is
 * cut into requests by each one's length field and served against a filesystem that answers
 * everything with plausible values (so that no fuzzed request runs module code). A request may
 * be refused; none may cost the session an exception (which it would answer with EIO), and
 * every reply must be as long as its header says and name a request that was sent.
 */
class FuseDecoderFuzzTest {
    private static final int EIO = 5;

    /** Hands out the input one request at a time, then ENODEV; checks every reply and keeps its id and error. */
    private static final class Requests implements FuseChannel {
        private final ByteBuffer input;
        final List<String> replies = new ArrayList<>();

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
            replies.add(reply.getLong(8) + ":" + reply.getInt(4));
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

    /**
     * The stored input {@code locks}: flock requests as the kernel sends them after INIT (see
     * the comments for what each one asks), answered by request id and error as flock(2)
     * would answer them, the waiting ones when a later request lets them in.
     */
    @Test
    void lockRequestsAreAnsweredAsFlockWould() throws IOException {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("FuseDecoderFuzzTestInputs/requests/locks")) {
            bytes = in.readAllBytes();
        }
        Requests requests = new Requests(bytes);
        new FuseSession(requests, new Plausible()).serve();
        assertEquals(List.of(
                "1:0", // INIT
                "2:0", // owner 1 LOCK_EX
                "3:-11", // owner 2 LOCK_SH|LOCK_NB: EWOULDBLOCK
                // 4: owner 2 LOCK_SH waits; 5 interrupts it
                "4:-4",
                // 6: owner 3 LOCK_EX waits; 7: owner 1 LOCK_UN lets it in
                "7:0", "6:0",
                // 8: owner 4 LOCK_SH waits; 9: the release of owner 3's file lets it in
                "9:0", "8:0",
                "10:-13", // uid 1000 LOCK_EX: EACCES
                "11:0", // uid 1000 LOCK_UN
                "12:-38", // a POSIX lock: ENOSYS, the kernel keeps those
                "13:-22"), // an unknown lock type
                requests.replies);
    }

    @FuzzTest(maxDuration = "10m")
    void requests(byte[] bytes) {
        new FuseSession(new Requests(bytes), new Plausible()).serve();
    }
}
