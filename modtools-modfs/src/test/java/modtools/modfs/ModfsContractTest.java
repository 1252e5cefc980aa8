package modtools.modfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import modtools.modfs.fuse.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rule of the modfs contract (docs/modfs.md) on a real FUSE mount served by this JVM, each error
 * asserted on the errno the system call fails with.
 */
class ModfsContractTest {
    private static final int EWOULDBLOCK = 11;
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;
    private Mounted m;

    @BeforeEach
    void mount() throws IOException {
        // Open to every user, for the test that makes its requests as nobody.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = tmp.resolve("modfs");
        Files.createDirectory(dir);
        m = new Mounted(dir);
    }

    @AfterEach
    void unmount() throws InterruptedException {
        m.close();
    }

    private String p(String relative) {
        return m.path(relative).toString();
    }

    /**
     * {@code call} on a thread of its own whose filesystem uid and gid are nobody's: the kernel
     * checks permissions and reports the caller to FUSE with them.
     */
    private static <T> T asNobody(java.util.function.Supplier<T> call) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            Sys.setfsgid(NOBODY);
            Sys.setfsuid(NOBODY);
            try {
                return call.get();
            } finally {
                Sys.setfsuid(0);
                Sys.setfsgid(0);
            }
        }, runnable -> new Thread(runnable).start()).get(5, TimeUnit.SECONDS);
    }

    private int control(String module, String command) {
        return Sys.writeFile(m.path(module + "/control"), command + "\n");
    }

    /** mkdir, create the module file at the image's size, map, write the image built for the address. */
    private long load(String name, LongFunction<byte[]> image) throws IOException {
        assertEquals(0, Sys.errno(() -> Sys.mkdir(p(name), 0755)));
        Files.write(m.path(name + "/module"), new byte[0]);
        assertEquals(0, Sys.errno(() -> Sys.truncate(p(name + "/module"), TestImage.SIZE)));
        assertEquals(0, control(name, "map module"));
        long address = m.address(name + "/module");
        assertEquals(0, Sys.writeFile(m.path(name + "/module"), image.apply(address), 0));
        return address;
    }

    @Test
    void rootFilesDescribeTheHost() throws IOException {
        assertEquals("1.0.0-modfs\n", m.read("version"));
        List<String> symbols = List.of(m.read("symbols").split("\n"));
        for (String name : List.of("modfs_log", "malloc", "calloc", "realloc", "free", "memcpy", "memmove", "memset",
                "memcmp", "strlen", "strcmp", "strncmp", "snprintf", "vsnprintf")) {
            assertTrue(symbols.stream().anyMatch(l -> l.matches("[0-9a-f]{16} T " + name)), name + " in " + symbols);
        }
        assertTrue(m.log().matches("(?s)\\[ *\\d+\\.\\d{6}\\] modfs: 1\\.0\\.0-modfs mounted on .*\n"), m.log());
        assertEquals(Errno.EACCES, Sys.writeFile(m.path("version"), "2.0.0"));
        assertEquals(Errno.EACCES, Sys.errno(() -> Sys.truncate(p("log"), 0)));
        assertEquals(Errno.EPERM, Sys.errno(() -> Sys.unlink(p("symbols"))));
        assertEquals(Errno.EPERM, Sys.errno(() -> Sys.open(p("stray"), Sys.O_CREAT | Sys.O_WRONLY, 0644)));
    }

    @Test
    void mkdirClaimsANameWithControlAndEmptyInfo() throws IOException {
        assertEquals(0, Sys.errno(() -> Sys.mkdir(p("hello"), 0755)));
        try (var listing = Files.list(m.path("hello"))) {
            assertEquals(List.of("control", "info"), listing.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals("", m.read("hello/info"));
        assertEquals("", m.read("hello/control"));
        assertEquals(Errno.EEXIST, Sys.errno(() -> Sys.mkdir(p("hello"), 0755)));
        assertEquals(Errno.EEXIST, Sys.errno(() -> Sys.mkdir(p("version"), 0755)));
        assertEquals(Errno.EPERM, Sys.errno(() -> Sys.mkdir(p("hello/sub"), 0755)));
        assertEquals(Errno.EPERM, Sys.errno(() -> Sys.unlink(p("hello/control"))));
        assertEquals(Errno.ENOSYS, Sys.errno(() -> Sys.rename(p("hello"), p("other"))));
    }

    @Test
    void mkdirRefusesWhatIsNotAModuleName() throws IOException {
        for (String bad : List.of("two words", "tab\there", "new\nline", "x".repeat(56))) {
            assertEquals(Errno.EINVAL, Sys.errno(() -> Sys.mkdir(p(bad), 0755)), "'" + bad + "'");
        }
        // The kernel answers these itself before modfs sees them.
        assertEquals(Errno.EEXIST, Sys.errno(() -> Sys.mkdir(p("."), 0755)));
        assertEquals(Errno.EEXIST, Sys.errno(() -> Sys.mkdir(p(".."), 0755)));
        assertEquals(Errno.ENOENT, Sys.errno(() -> Sys.mkdir(p("a/b"), 0755)));
        assertEquals(0, Sys.errno(() -> Sys.mkdir(p("x".repeat(55)), 0755)));
        assertTrue(m.log().contains("modfs: mkdir 'two words': a module name cannot hold white space: EINVAL"), m.log());
    }

    @Test
    void sizesPastTheLimitsAreEfbig() throws IOException {
        Sys.mkdir(p("big"), 0755);
        Files.write(m.path("big/module"), new byte[0]);
        assertEquals(Errno.EFBIG, Sys.errno(() -> Sys.truncate(p("big/module"), 1L << 30)));
        assertEquals(Errno.EFBIG, Sys.writeFile(m.path("big/module"), new byte[16], 1L << 40));
        // An end past the largest offset the kernel refuses itself, before modfs sees the write.
        assertEquals(Errno.EINVAL, Sys.writeFile(m.path("big/module"), new byte[16], Long.MAX_VALUE - 8));
        assertEquals(Errno.EFBIG, Sys.writeFile(m.path("big/info"), new byte[16], 1L << 40));
        assertEquals(Errno.EFBIG, Sys.errno(() -> Sys.truncate(p("big/info"), 1L << 30)));
        assertEquals("unmapped\n0x0000000000000000\n0\n", m.read("big/module"));
    }

    @Test
    void infoStoresWhatItIsGiven() throws IOException {
        Sys.mkdir(p("hello"), 0755);
        Files.writeString(m.path("hello/info"), "exports demo 0x40000000\n");
        assertEquals("exports demo 0x40000000\n", m.read("hello/info"));
        Files.writeString(m.path("hello/info"), "short\n");
        assertEquals("short\n", m.read("hello/info"));
    }

    @Test
    void controlRefusesWhatItCannotDo() throws IOException {
        Sys.mkdir(p("hello"), 0755);
        assertEquals(Errno.EINVAL, control("hello", "load module"));
        assertEquals(Errno.EINVAL, control("hello", "map"));
        assertEquals(Errno.EINVAL, control("hello", "map module extra"));
        assertEquals(Errno.EINVAL, Sys.writeFile(m.path("hello/control"), "map module\ninit module\n"));
        assertEquals(Errno.ENOENT, control("hello", "map module"));
        assertEquals(Errno.EINVAL, control("hello", "map info"));
        Files.write(m.path("hello/module"), new byte[0]);
        assertEquals(Errno.EINVAL, control("hello", "map module"), "an empty file has nothing to map");
        assertEquals(Errno.EINVAL, control("hello", "unmap module"));
        assertEquals(Errno.EINVAL, control("hello", "init module"));
        assertEquals(Errno.EINVAL, control("hello", "exit module"));
        Sys.truncate(p("hello/module"), TestImage.SIZE);
        assertEquals(0, control("hello", "map module"));
        assertEquals(Errno.EEXIST, control("hello", "map module"));
        assertEquals(Errno.EINVAL, control("hello", "exit module"));
        assertTrue(m.log().contains("modfs: hello/module: map: already mapped at 0x"), m.log());
        assertTrue(m.log().contains("modfs: hello/control: unknown command 'load': EINVAL"), m.log());
    }

    @Test
    void theSeedFlow() throws IOException {
        long log = m.symbol("modfs_log");
        long address = load("hello", base -> TestImage.logging(base, log, "hello: init", "hello: exit").build());
        assertTrue(address > 0 && address + TestImage.SIZE <= 1L << 31, "below 2 GiB: " + Long.toHexString(address));
        assertEquals(List.of("mapped", String.format("0x%016x", address), Integer.toString(TestImage.SIZE)),
                m.status("hello/module"));
        assertEquals(0, control("hello", "init module"));
        assertEquals("live", m.status("hello/module").get(0));
        assertTrue(m.log().matches("(?s).*\\[ *\\d+\\.\\d{6}\\] hello: init\n.*"), m.log());
        assertEquals(String.format("module live 0x%016x %d\n", address, TestImage.SIZE), m.read("hello/control"));
        assertEquals(0, Sys.errno(() -> Sys.truncate(p("hello/module"), TestImage.CORE)));
        assertEquals(Integer.toString(TestImage.CORE), m.status("hello/module").get(2));
        assertEquals(0, control("hello", "exit module"));
        assertTrue(m.log().contains("] hello: exit\n"), m.log());
        assertEquals("mapped", m.status("hello/module").get(0));
        assertEquals(0, control("hello", "unmap module"));
        assertEquals(List.of("unmapped", "0x0000000000000000", Integer.toString(TestImage.CORE)),
                m.status("hello/module"));
        assertEquals(0, Sys.errno(() -> Sys.unlink(p("hello/module"))));
        assertEquals(0, Sys.errno(() -> Sys.rmdir(p("hello"))));
        assertFalse(Files.exists(m.path("hello")));
    }

    @Test
    void bytesWrittenBeforeMapAreMapped() throws IOException {
        Sys.mkdir(p("pic"), 0755);
        // returning() is position-independent, so the image is good at any address.
        byte[] image = TestImage.returning(0, 0).build();
        TestImage.Header h = TestImage.returning(0, 0).header();
        Files.write(m.path("pic/module"), image);
        assertEquals(0, control("pic", "map module"));
        long base = m.address("pic/module");
        TestImage relocated = TestImage.returning(base, 0);
        // Only the header holds addresses: write it again for the base.
        byte[] header = java.util.Arrays.copyOf(relocated.build(), 64);
        assertEquals(0, Sys.writeFile(m.path("pic/module"), header, 0));
        assertEquals(0, control("pic", "init module"), "header " + h);
        assertEquals("live", m.status("pic/module").get(0));
    }

    @Test
    void aMappedModuleCannotGrowAndBelongsToTheModuleAfterInit() throws IOException {
        load("hello", base -> TestImage.returning(base, 0).build());
        assertEquals(Errno.EPERM, Sys.errno(() -> Sys.truncate(p("hello/module"), TestImage.SIZE + 1)));
        assertEquals(Errno.EPERM, Sys.writeFile(m.path("hello/module"), new byte[1], TestImage.SIZE));
        assertEquals(Errno.EBUSY, Sys.errno(() -> Sys.unlink(p("hello/module"))));
        assertEquals(Errno.EBUSY, Sys.errno(() -> Sys.rmdir(p("hello"))));
        assertEquals(0, control("hello", "init module"));
        assertEquals(Errno.EEXIST, control("hello", "init module"));
        assertEquals(Errno.EBUSY, control("hello", "unmap module"));
        assertEquals(Errno.EBUSY, Sys.writeFile(m.path("hello/module"), new byte[1], 0));
        assertEquals(Errno.EPERM, Sys.errno(() -> Sys.truncate(p("hello/module"), TestImage.SIZE + 4096)));
        assertEquals(Errno.EBUSY, Sys.errno(() -> Sys.truncate(p("hello/module"), TestImage.CORE - 1)));
        assertEquals(Errno.EBUSY, Sys.errno(() -> Sys.unlink(p("hello/module"))));
        assertEquals(0, control("hello", "exit module"));
        assertEquals(Errno.EBUSY, Sys.errno(() -> Sys.rmdir(p("hello"))));
        assertEquals(0, control("hello", "unmap module"));
        assertEquals(Errno.ENOTEMPTY, Sys.errno(() -> Sys.rmdir(p("hello"))));
    }

    @Test
    void dropTheInitTailFreesItsPagesAndLiveModulesAreWXorX() throws IOException {
        long log = m.symbol("modfs_log");
        long base = load("hello", b -> TestImage.logging(b, log, "in", "out").build());
        assertEquals(0, control("hello", "init module"));
        List<String> maps = ProcMaps.between(base, base + TestImage.SIZE);
        assertEquals(List.of("r-xp", "r--p", "rw-p", "r-xp", "rw-p"), ProcMaps.perms(maps, base), maps.toString());
        assertEquals(0, Sys.errno(() -> Sys.truncate(p("hello/module"), TestImage.CORE)));
        assertEquals(List.of("r-xp", "r--p", "rw-p", "gone", "gone"), ProcMaps.perms(
                ProcMaps.between(base, base + TestImage.SIZE), base));
        assertEquals(0, control("hello", "exit module"));
        assertEquals(List.of("rw-p", "rw-p", "rw-p", "gone", "gone"), ProcMaps.perms(
                ProcMaps.between(base, base + TestImage.SIZE), base));
    }

    @Test
    void initsErrnoFailsTheWriteAndOnlyUnmapIsLeft() throws IOException {
        load("failing", base -> TestImage.returning(base, -19).build());
        assertEquals(19, control("failing", "init module"), "ENODEV from init");
        assertEquals("failed", m.status("failing/module").get(0));
        assertEquals(Errno.EINVAL, control("failing", "init module"));
        assertEquals(Errno.EINVAL, control("failing", "exit module"));
        assertEquals(Errno.EBUSY, Sys.writeFile(m.path("failing/module"), new byte[1], 0));
        assertEquals(0, control("failing", "unmap module"));
        assertTrue(m.log().contains("modfs: failing/module: init returned -19"), m.log());
    }

    @Test
    void corruptImagesAreRefusedWithEnoexecAndTheHostKeepsServing() throws IOException {
        record Damage(String name, java.util.function.Function<TestImage, TestImage.Header> header, String logged) {}
        List<Damage> damages = List.of(
                new Damage("magic", i -> withMagic(i.header(), 0x464c457f), "magic 0x464c457f is not MODF"),
                new Damage("bad-version", i -> withVersion(i.header(), 2), "version 2 is not 1"),
                new Damage("size", i -> withImageSize(i.header(), TestImage.SIZE + 4096L), "past the end"),
                new Damage("huge", i -> withImageSize(i.header(), -4096L), "past the end"),
                new Damage("core", i -> withCoreSize(i.header(), TestImage.SIZE + 4096L), "core_size"),
                new Damage("unaligned", i -> withTextEnd(i.header(), i.base + 100), "text_end"),
                new Damage("init", i -> withInit(i.header(), i.base + TestImage.SIZE + 16), "init 0x"),
                new Damage("wild", i -> withInit(i.header(), 0x7f0000001000L), "init 0x"),
                new Damage("data", i -> withInit(i.header(), i.base + TestImage.DATA), "lies outside the image's code"),
                new Damage("exit", i -> withExit(i.header(), i.base + TestImage.INIT_TEXT), "exit 0x"));
        for (Damage d : damages) {
            load(d.name(), base -> {
                TestImage image = TestImage.returning(base, 0);
                return image.build(d.header().apply(image));
            });
            assertEquals(Errno.ENOEXEC, control(d.name(), "init module"), d.name());
            assertEquals("mapped", m.status(d.name() + "/module").get(0), d.name());
            assertTrue(m.log().contains(d.logged()), d.name() + ": " + m.log());
            assertEquals(0, control(d.name(), "unmap module"), d.name());
        }
        Files.write(m.path("magic/tiny"), new byte[10]);
        assertEquals(0, control("magic", "map tiny"));
        assertEquals(Errno.ENOEXEC, control("magic", "init tiny"));
        assertEquals("1.0.0-modfs\n", m.read("version"));
        load("good", base -> TestImage.returning(base, 0).build());
        assertEquals(0, control("good", "init module"));
    }

    private static TestImage.Header withMagic(TestImage.Header h, int magic) {
        return new TestImage.Header(magic, h.version(), h.headerSize(), h.imageSize(), h.coreSize(), h.init(), h.exit(),
                h.textEnd(), h.rodataEnd(), h.initTextEnd());
    }

    private static TestImage.Header withVersion(TestImage.Header h, int version) {
        return new TestImage.Header(h.magic(), version, h.headerSize(), h.imageSize(), h.coreSize(), h.init(), h.exit(),
                h.textEnd(), h.rodataEnd(), h.initTextEnd());
    }

    private static TestImage.Header withImageSize(TestImage.Header h, long size) {
        return new TestImage.Header(h.magic(), h.version(), h.headerSize(), size, h.coreSize(), h.init(), h.exit(),
                h.textEnd(), h.rodataEnd(), h.initTextEnd());
    }

    private static TestImage.Header withCoreSize(TestImage.Header h, long size) {
        return new TestImage.Header(h.magic(), h.version(), h.headerSize(), h.imageSize(), size, h.init(), h.exit(),
                h.textEnd(), h.rodataEnd(), h.initTextEnd());
    }

    private static TestImage.Header withTextEnd(TestImage.Header h, long textEnd) {
        return new TestImage.Header(h.magic(), h.version(), h.headerSize(), h.imageSize(), h.coreSize(), h.init(),
                h.exit(), textEnd, h.rodataEnd(), h.initTextEnd());
    }

    private static TestImage.Header withInit(TestImage.Header h, long init) {
        return new TestImage.Header(h.magic(), h.version(), h.headerSize(), h.imageSize(), h.coreSize(), init, h.exit(),
                h.textEnd(), h.rodataEnd(), h.initTextEnd());
    }

    private static TestImage.Header withExit(TestImage.Header h, long exit) {
        return new TestImage.Header(h.magic(), h.version(), h.headerSize(), h.imageSize(), h.coreSize(), h.init(), exit,
                h.textEnd(), h.rodataEnd(), h.initTextEnd());
    }

    @Test
    void aBlockedInitHoldsOnlyItsOwnWriter() throws Exception {
        int[] gate = new int[2];
        Sys.pipe(gate);
        int[] marks = new int[2];
        Sys.pipe(marks);
        load("slow", base -> TestImage.blocking(base, gate[0], marks[1], 'S').build());
        CompletableFuture<Integer> init = CompletableFuture.supplyAsync(() -> control("slow", "init module"));
        long deadline = System.currentTimeMillis() + 5000;
        while (!m.status("slow/module").get(0).equals("initializing") && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("initializing", m.status("slow/module").get(0));
        // The filesystem still answers everything else.
        assertEquals(0, Sys.errno(() -> Sys.mkdir(p("other"), 0755)));
        assertEquals("1.0.0-modfs\n", m.read("version"));
        assertEquals(Errno.EBUSY, control("slow", "init module"));
        assertEquals(Errno.EBUSY, control("slow", "exit module"));
        assertEquals(Errno.EBUSY, control("slow", "unmap module"));
        assertEquals(Errno.EBUSY, Sys.errno(() -> {
            // As echo does it: O_TRUNC takes the inode's lock, which the waiting write would hold.
            int fd = Sys.open(p("slow/control"), Sys.O_WRONLY | Sys.O_TRUNC, 0);
            try {
                Sys.write(fd, "exit module\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 12);
            } finally {
                Sys.close(fd);
            }
        }));
        assertFalse(init.isDone());
        Sys.write(gate[1], new byte[] {1}, 1);
        assertEquals(0, init.get(5, TimeUnit.SECONDS));
        assertEquals("live", m.status("slow/module").get(0));
        for (int fd : new int[] {gate[0], gate[1], marks[0], marks[1]}) {
            Sys.close(fd);
        }
    }

    @Test
    void stoppingTheHostExitsLiveModulesInReverseLoadOrder() throws Exception {
        int[] marks = new int[2];
        Sys.pipe(marks);
        for (char name : new char[] {'a', 'b', 'c'}) {
            load(String.valueOf(name), base -> TestImage.marking(base, marks[1], name).build());
        }
        assertEquals(0, control("b", "init module"));
        assertEquals(0, control("a", "init module"));
        assertEquals(0, control("c", "init module"));
        assertEquals(List.of(), m.stop());
        byte[] order = new byte[3];
        assertEquals(3, Sys.read(marks[0], order, 3));
        assertEquals("cab", new String(order, java.nio.charset.StandardCharsets.ISO_8859_1));
        Sys.close(marks[0]);
        Sys.close(marks[1]);
    }

    @Test
    void statusIsNeverCutToAStaleSize() throws IOException {
        Sys.mkdir(p("hello"), 0755);
        Files.write(m.path("hello/module"), new byte[0]);
        assertEquals(0, Files.size(m.path("hello/module")));
        assertEquals("unmapped\n0x0000000000000000\n0\n", m.read("hello/module"));
        Sys.truncate(p("hello/module"), TestImage.SIZE);
        assertEquals(0, control("hello", "map module"));
        assertEquals("mapped", m.status("hello/module").get(0));
        assertEquals(TestImage.SIZE, Files.size(m.path("hello/module")));
    }

    @Test
    void onlyRootAndTheOwnerMayChangeAnything() throws Exception {
        Sys.mkdir(p("hello"), 0755);
        Files.write(m.path("hello/module"), new byte[0]);
        List<Integer> errnos = asNobody(() -> List.of(
                Sys.errno(() -> Sys.mkdir(p("mine"), 0755)),
                control("hello", "map module"),
                Sys.errno(() -> Sys.open(p("hello/new"), Sys.O_CREAT | Sys.O_WRONLY, 0644)),
                Sys.writeFile(m.path("hello/info"), "x"),
                Sys.errno(() -> Sys.truncate(p("hello/module"), 10)),
                Sys.errno(() -> Sys.unlink(p("hello/module"))),
                Sys.errno(() -> Sys.rmdir(p("hello"))),
                Sys.errno(() -> Sys.close(Sys.open(p("version"), Sys.O_RDONLY, 0))),
                Sys.errno(() -> Sys.close(Sys.open(p("hello/control"), Sys.O_RDONLY, 0)))));
        int a = Errno.EACCES;
        assertEquals(List.of(a, a, a, a, a, a, a, 0, 0), errnos);
        assertEquals("unmapped", m.status("hello/module").get(0));
    }

    @Test
    void addressesAreZerosToWhoeverMayNotChangeTheMount() throws Exception {
        Sys.mkdir(p("hello"), 0755);
        Files.write(m.path("hello/module"), new byte[0]);
        Sys.truncate(p("hello/module"), TestImage.SIZE);
        assertEquals(0, control("hello", "map module"));
        String info = "{\"base\":\"0x00000000400f9000\",\"name\":\"hello\"}";
        assertEquals(0, Sys.writeFile(m.path("hello/info"), info));
        List<String> files = List.of("hello/module", "hello/control", "hello/info", "symbols", "log");
        List<String> asRoot = new java.util.ArrayList<>();
        for (String f : files) {
            asRoot.add(m.read(f));
        }
        List<String> seen = asNobody(() -> {
            List<String> read = new java.util.ArrayList<>();
            for (String f : files) {
                try {
                    read.add(m.read(f));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return read;
        });
        for (int i = 0; i < files.size(); i++) {
            String hidden = asRoot.get(i).replaceAll("0x[0-9a-f]{16}", "0x0000000000000000")
                    .replaceAll("(?m)^[0-9a-f]{16} ", "0000000000000000 ");
            assertEquals(hidden, seen.get(i), files.get(i));
            assertEquals(asRoot.get(i).length(), seen.get(i).length(), "same layout: " + files.get(i));
        }
        assertTrue(m.address("hello/module") != 0, "root sees the address");
        assertTrue(seen.get(0).contains("\n0x0000000000000000\n"), seen.get(0));
        assertTrue(seen.get(3).startsWith("0000000000000000 T "), seen.get(3));
    }

    @Test
    void flockOnInfoIsSharedBetweenOpenFiles() throws IOException {
        Sys.mkdir(p("hello"), 0755);
        int shared = Sys.open(p("hello/info"), Sys.O_RDONLY, 0);
        int other = Sys.open(p("hello/info"), Sys.O_RDONLY, 0);
        try {
            assertEquals(0, Sys.errno(() -> Sys.flock(shared, Sys.LOCK_SH)));
            assertEquals(EWOULDBLOCK, Sys.errno(() -> Sys.flock(other, Sys.LOCK_EX | Sys.LOCK_NB)));
            assertEquals(0, Sys.errno(() -> Sys.flock(other, Sys.LOCK_SH | Sys.LOCK_NB)));
            Sys.flock(shared, Sys.LOCK_UN);
            Sys.flock(other, Sys.LOCK_UN);
            assertEquals(0, Sys.errno(() -> Sys.flock(other, Sys.LOCK_EX | Sys.LOCK_NB)));
        } finally {
            Sys.close(shared);
            Sys.close(other);
        }
    }

    /**
     * flock(2)'s rules, conversions included (a failed upgrade loses the shared lock, as on
     * Linux), checked against the kernel's own flock on a file of the test's: the same steps on
     * three open files give the same errno on both.
     */
    @Test
    void flockFollowsTheKernelsRulesStepForStep() throws IOException {
        Sys.mkdir(p("hello"), 0755);
        Path plain = Files.writeString(tmp.resolve("plain"), "");
        int[][] steps = {
            {0, Sys.LOCK_SH}, {1, Sys.LOCK_SH | Sys.LOCK_NB}, {2, Sys.LOCK_EX | Sys.LOCK_NB},
            {1, Sys.LOCK_EX | Sys.LOCK_NB}, {0, Sys.LOCK_EX | Sys.LOCK_NB}, {1, Sys.LOCK_SH | Sys.LOCK_NB},
            {0, Sys.LOCK_SH}, {1, Sys.LOCK_SH | Sys.LOCK_NB}, {0, Sys.LOCK_UN}, {2, Sys.LOCK_EX | Sys.LOCK_NB},
            {1, Sys.LOCK_UN}, {2, Sys.LOCK_EX | Sys.LOCK_NB}, {2, Sys.LOCK_EX}, {2, Sys.LOCK_SH},
            {0, Sys.LOCK_SH | Sys.LOCK_NB}, {2, Sys.LOCK_UN}, {0, Sys.LOCK_EX | Sys.LOCK_NB}, {0, Sys.LOCK_UN},
        };
        assertEquals(flockSteps(plain.toString(), steps), flockSteps(p("hello/info"), steps));
        assertTrue(flockSteps(p("hello/info"), steps).contains(EWOULDBLOCK), "the steps include conflicts");
    }

    /** The errno of each step on {@code path}, run on three descriptors of it. */
    private static List<Integer> flockSteps(String path, int[][] steps) {
        int[] fds = {Sys.open(path, Sys.O_RDONLY, 0), Sys.open(path, Sys.O_RDONLY, 0), Sys.open(path, Sys.O_RDONLY, 0)};
        try {
            List<Integer> errnos = new java.util.ArrayList<>();
            for (int[] step : steps) {
                errnos.add(Sys.errno(() -> Sys.flock(fds[step[0]], step[1])));
            }
            return errnos;
        } finally {
            for (int fd : fds) {
                Sys.close(fd);
            }
        }
    }

    @Test
    void aBlockedFlockGoesOnWhenTheHolderClosesItsFile() throws Exception {
        Sys.mkdir(p("hello"), 0755);
        int holder = Sys.open(p("hello/info"), Sys.O_RDONLY, 0);
        Sys.flock(holder, Sys.LOCK_EX);
        // The waiter's descriptor once it holds the lock.
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            int fd = Sys.open(p("hello/info"), Sys.O_RDONLY, 0);
            Sys.flock(fd, Sys.LOCK_EX);
            return fd;
        }, runnable -> new Thread(runnable).start());
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "LOCK_EX waits while another file holds it");
        assertEquals("1.0.0-modfs\n", m.read("version"), "the host answers meanwhile");
        Sys.close(holder);
        int waiter = waiting.get(5, TimeUnit.SECONDS);
        int third = Sys.open(p("hello/info"), Sys.O_RDONLY, 0);
        assertEquals(EWOULDBLOCK, Sys.errno(() -> Sys.flock(third, Sys.LOCK_SH | Sys.LOCK_NB)), "the waiter holds it");
        Sys.close(third);
        Sys.close(waiter);
    }

    /** A held lock blocks others, so whoever may not change the mount may not take one, on any file. */
    @Test
    void flockIsRootsAndTheOwnersOnly() throws Exception {
        Sys.mkdir(p("hello"), 0755);
        Files.write(m.path("hello/module"), new byte[0]);
        List<String> files = List.of("hello/info", "hello/control", "hello/module", "version");
        List<Integer> seen = asNobody(() -> {
            List<Integer> errnos = new java.util.ArrayList<>();
            for (String f : files) {
                int fd = Sys.open(p(f), Sys.O_RDONLY, 0);
                try {
                    for (int operation : new int[] {Sys.LOCK_SH | Sys.LOCK_NB, Sys.LOCK_EX | Sys.LOCK_NB,
                        Sys.LOCK_SH, Sys.LOCK_EX, Sys.LOCK_UN}) {
                        errnos.add(Sys.errno(() -> Sys.flock(fd, operation)));
                    }
                } finally {
                    Sys.close(fd);
                }
            }
            return errnos;
        });
        int a = Errno.EACCES;
        List<Integer> each = List.of(a, a, a, a, 0);
        assertEquals(java.util.Collections.nCopies(files.size(), each).stream().flatMap(List::stream).toList(), seen);
        for (String f : files) {
            int fd = Sys.open(p(f), Sys.O_RDONLY, 0);
            try {
                assertEquals(0, Sys.errno(() -> Sys.flock(fd, Sys.LOCK_EX | Sys.LOCK_NB)), "root locks " + f);
            } finally {
                Sys.close(fd);
            }
        }
    }
}
