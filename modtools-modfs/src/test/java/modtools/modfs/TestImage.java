package modtools.modfs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Small module images written by hand for the host tests: x86-64 code that needs no
 * relocation (absolute addresses are patched in for the base the image was mapped at), laid
 * out as docs/image-format.md's header describes: header and text, rodata, data, then an init tail of
 * init text and init data. Five pages; the core is the first three.
 */
final class TestImage {
    static final int PAGE = 4096;
    static final int TEXT = 0;
    static final int RODATA = PAGE;
    static final int DATA = 2 * PAGE;
    static final int INIT_TEXT = 3 * PAGE;
    static final int INIT_DATA = 4 * PAGE;
    static final int SIZE = 5 * PAGE;
    static final int CORE = 3 * PAGE;
    private static final int CODE = 64;

    final ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    final long base;
    long init;
    long exit;

    TestImage(long base) {
        this.base = base;
    }

    /** init returns {@code value}, exit returns; both in core text. */
    static TestImage returning(long base, int value) {
        TestImage image = new TestImage(base);
        image.init = image.code(TEXT + CODE, new Code().movEax(value).ret());
        image.exit = image.code(TEXT + CODE + 16, new Code().ret());
        return image;
    }

    /** init (in the init tail) logs {@code initMessage}; exit (in core text) logs {@code exitMessage}. */
    static TestImage logging(long base, long modfsLog, String initMessage, String exitMessage) {
        TestImage image = new TestImage(base);
        long initText = image.string(INIT_DATA, initMessage);
        long exitText = image.string(RODATA, exitMessage);
        image.init = image.code(INIT_TEXT, new Code().call(modfsLog, initText).movEax(0).ret());
        image.exit = image.code(TEXT + CODE, new Code().call(modfsLog, exitText).ret());
        return image;
    }

    /** init blocks reading one byte from {@code fd}, then returns 0; exit writes {@code mark} to {@code markFd}. */
    static TestImage blocking(long base, int fd, int markFd, char mark) {
        TestImage image = new TestImage(base);
        long markAt = image.string(RODATA, String.valueOf(mark));
        image.init = image.code(TEXT + CODE, new Code().readByte(fd).movEax(0).ret());
        image.exit = image.code(TEXT + CODE + 64, new Code().writeByte(markFd, markAt).ret());
        return image;
    }

    /** init returns 0 at once; exit writes {@code mark} to {@code markFd}. */
    static TestImage marking(long base, int markFd, char mark) {
        TestImage image = new TestImage(base);
        long markAt = image.string(RODATA, String.valueOf(mark));
        image.init = image.code(TEXT + CODE, new Code().movEax(0).ret());
        image.exit = image.code(TEXT + CODE + 64, new Code().writeByte(markFd, markAt).ret());
        return image;
    }

    /** What a faulting image does wrong: each raises its signal in module code. */
    enum Wrong {
        SEGV, BUS, ILL, FPE;

        Code into(Code code, long base) {
            return switch (this) {
                case SEGV -> code.writeToNull();
                case BUS -> code.readPastAMappedFilesEnd(base + RODATA);
                case ILL -> code.undefinedInstruction();
                case FPE -> code.divideByZero();
            };
        }
    }

    /** init does {@code wrong}; exit returns. */
    static TestImage faultingInInit(long base, Wrong wrong) {
        TestImage image = new TestImage(base);
        image.string(RODATA, "modfs-test");
        image.init = image.code(TEXT + CODE, wrong.into(new Code(), base).movEax(0).ret());
        image.exit = image.code(TEXT + CODE + 128, new Code().ret());
        return image;
    }

    /** init returns 0; exit does {@code wrong}. */
    static TestImage faultingInExit(long base, Wrong wrong) {
        TestImage image = new TestImage(base);
        image.string(RODATA, "modfs-test");
        image.init = image.code(TEXT + CODE, new Code().movEax(0).ret());
        image.exit = image.code(TEXT + CODE + 128, wrong.into(new Code(), base).ret());
        return image;
    }

    /** init starts a thread through {@code modfs_thread_run} and returns 0; the thread does {@code wrong}. */
    static TestImage faultingInAThread(long base, long threadRun, Wrong wrong) {
        TestImage image = new TestImage(base);
        image.string(RODATA, "modfs-test");
        long thread = image.code(TEXT + CODE + 256, wrong.into(new Code(), base).movEax(0).ret());
        image.init = image.code(TEXT + CODE, new Code().call(threadRun, thread).movEax(0).ret());
        image.exit = image.code(TEXT + CODE + 128, new Code().ret());
        return image;
    }

    /** Where {@link #faultingInInit} and the others put the faulting code: the symbol a log names. */
    static String kallsyms(TestImage image) {
        return String.format("%016x %016x t fault_init\n%016x %016x t fault_exit\n%016x %016x t fault_thread\n",
                image.base + TEXT + CODE, 128, image.base + TEXT + CODE + 128, 128, image.base + TEXT + CODE + 256, 128);
    }

    private long code(int offset, Code code) {
        bytes.put(offset, code.bytes());
        return base + offset;
    }

    private long string(int offset, String text) {
        bytes.put(offset, (text + "\0").getBytes(StandardCharsets.ISO_8859_1));
        return base + offset;
    }

    /** The image with its proper header. */
    byte[] build() {
        return build(header());
    }

    record Header(int magic, int version, int headerSize, long imageSize, long coreSize, long init, long exit,
                  long textEnd, long rodataEnd, long initTextEnd) {}

    /** The image with {@code header}, which a test may have damaged. */
    byte[] build(Header header) {
        header(header);
        return bytes.array().clone();
    }

    /** The header that describes this image truly. */
    Header header() {
        return new Header(modtools.contract.ImageHeader.MAGIC, 1, 64, SIZE, CORE, init, exit, base + RODATA, base + DATA,
                base + INIT_DATA);
    }

    private void header(Header h) {
        bytes.putInt(0, h.magic()).putShort(4, (short) h.version()).putShort(6, (short) h.headerSize())
                .putLong(8, h.imageSize()).putLong(16, h.coreSize()).putLong(24, h.init()).putLong(32, h.exit())
                .putLong(40, h.textEnd()).putLong(48, h.rodataEnd()).putLong(56, h.initTextEnd());
    }

    /** The few x86-64 instructions the images need. */
    static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Code movEax(int value) {
            out.write(0xb8);
            imm32(value);
            return this;
        }

        Code ret() {
            out.write(0xc3);
            return this;
        }

        /** Calls {@code function(argument)} with the stack aligned as the ABI wants. */
        Code call(long function, long argument) {
            bytes(0x48, 0x83, 0xec, 0x08); // sub rsp, 8
            bytes(0x48, 0xbf); // movabs rdi, argument
            imm64(argument);
            bytes(0x48, 0xb8); // movabs rax, function
            imm64(function);
            bytes(0xff, 0xd0); // call rax
            bytes(0x48, 0x83, 0xc4, 0x08); // add rsp, 8
            return this;
        }

        /** read(fd, red zone, 1) as a raw system call: blocks until a byte arrives. */
        Code readByte(int fd) {
            out.write(0xbf); // mov edi, fd
            imm32(fd);
            bytes(0x48, 0x8d, 0x74, 0x24, 0xf8); // lea rsi, [rsp-8]
            bytes(0xba, 1, 0, 0, 0); // mov edx, 1
            bytes(0x31, 0xc0); // xor eax, eax (SYS_read)
            bytes(0x0f, 0x05); // syscall
            return this;
        }

        /** write(fd, address, 1) as a raw system call. */
        Code writeByte(int fd, long address) {
            out.write(0xbf); // mov edi, fd
            imm32(fd);
            bytes(0x48, 0xbe); // movabs rsi, address
            imm64(address);
            bytes(0xba, 1, 0, 0, 0); // mov edx, 1
            bytes(0xb8, 1, 0, 0, 0); // mov eax, 1 (SYS_write)
            bytes(0x0f, 0x05); // syscall
            return this;
        }

        /** mov dword [0], 1: SIGSEGV, a write to the NULL page. */
        Code writeToNull() {
            bytes(0xc7, 0x04, 0x25, 0, 0, 0, 0, 1, 0, 0, 0);
            return this;
        }

        /** ud2: SIGILL. */
        Code undefinedInstruction() {
            bytes(0x0f, 0x0b);
            return this;
        }

        /** 1 / 0 in idiv: SIGFPE. */
        Code divideByZero() {
            bytes(0x31, 0xc9); // xor ecx, ecx
            movEax(1);
            bytes(0x99); // cdq
            bytes(0xf7, 0xf9); // idiv ecx
            return this;
        }

        /** An empty memfd (named by the string at {@code name}) mapped and read: SIGBUS, BUS_ADRERR. */
        Code readPastAMappedFilesEnd(long name) {
            out.write(0xbf); // mov edi, name
            imm32((int) name);
            bytes(0x31, 0xf6); // xor esi, esi
            bytes(0xb8, 0x3f, 0x01, 0, 0); // mov eax, 319 (SYS_memfd_create)
            bytes(0x0f, 0x05); // syscall
            bytes(0x49, 0x89, 0xc0); // mov r8, rax (fd)
            bytes(0x31, 0xff); // xor edi, edi
            bytes(0xbe, 0, 0x10, 0, 0); // mov esi, 4096
            bytes(0xba, 1, 0, 0, 0); // mov edx, PROT_READ
            bytes(0x41, 0xba, 1, 0, 0, 0); // mov r10d, MAP_SHARED
            bytes(0x45, 0x31, 0xc9); // xor r9d, r9d
            bytes(0xb8, 9, 0, 0, 0); // mov eax, 9 (SYS_mmap)
            bytes(0x0f, 0x05); // syscall
            bytes(0x8b, 0x00); // mov eax, [rax]
            return this;
        }

        private void bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
        }

        private void imm32(int v) {
            bytes(v, v >>> 8, v >>> 16, v >>> 24);
        }

        private void imm64(long v) {
            imm32((int) v);
            imm32((int) (v >>> 32));
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
