package modtools.load.linux;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import modtools.deps.resolve.Insertion;
import modtools.elf.module.ZstdReading;
import modtools.deps.resolve.LinuxErrno;
import modtools.deps.resolve.ModuleLoader;
import modtools.elf.ElfFormatException;
import modtools.elf.module.Compression;
import modtools.elf.module.ModuleFile;
import modtools.elf.module.ModuleLoadException;

/**
 * The Linux backend: modules go to the running kernel as kmod's kmod_module_insert_module and
 * kmod_module_remove_module send them. A file the kernel can read itself — a plain object, or
 * one compressed the way the kernel says it decompresses (/sys/module/compression, Linux 6.4
 * and later) — goes by descriptor to finit_module(2), forcing by flags. Anything else, or a
 * kernel without finit_module, gets the image from us: decompressed, copied, stripped of
 * {@code __versions} and vermagic when forced, and handed to init_module(2).
 */
public final class LinuxModuleLoader implements ModuleLoader {
    private static final Path KERNEL_COMPRESSION = Path.of("/sys/module/compression");

    private final Syscalls.Numbers numbers;
    private final ZstdReading zstdReading;
    private Syscalls syscalls;

    private LinuxModuleLoader(Syscalls.Numbers numbers, ZstdReading zstdReading) {
        this.numbers = numbers;
        this.zstdReading = zstdReading;
    }

    /**
     * The backend for the running kernel. A kernel without module support (no /proc/modules)
     * gets the same calls, which it answers ENOSYS, as kmod's get there: kmod reads the file
     * first (a damaged one fails before the kernel is asked), and so do we.
     */
    public static ModuleLoader forThisKernel(ZstdReading zstdReading) {
        return forThisMachine(zstdReading).orElseGet(NoModuleSupport::new);
    }

    /**
     * The backend for this machine's architecture; empty where we do not know its call numbers.
     * {@code zstdReading}: how it decodes a zstd module (the level's).
     */
    public static Optional<ModuleLoader> forThisMachine(ZstdReading zstdReading) {
        return Syscalls.Numbers.of(System.getProperty("os.arch")).map(n -> new LinuxModuleLoader(n, zstdReading));
    }

    @Override
    public Insertion insert(String path, String options, boolean forceVermagic, boolean forceModversion) {
        Syscalls sys = syscalls();
        int fd = sys.open(path, Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
        if (fd < 0) {
            return Insertion.of(-fd);
        }
        try {
            // kmod reads as many bytes as its longest magic and refuses a shorter file
            byte[] magic = new byte[Compression.MAGIC_PROBE_SIZE];
            int read = sys.readFully(fd, magic);
            if (read < 0) {
                return Insertion.of(-read);
            }
            if (read < magic.length) {
                return Insertion.of(LinuxErrno.EINVAL);
            }
            Compression compression = Compression.of(ByteBuffer.wrap(magic));
            if (compression == Compression.NONE || compression == kernelCompression()) {
                int flags = (compression == Compression.NONE ? 0 : Syscalls.MODULE_INIT_COMPRESSED_FILE)
                        | (forceVermagic ? Syscalls.MODULE_INIT_IGNORE_VERMAGIC : 0)
                        | (forceModversion ? Syscalls.MODULE_INIT_IGNORE_MODVERSIONS : 0);
                int r = sys.finitModule(fd, options, flags);
                if (r != -LinuxErrno.ENOSYS) {
                    return Insertion.of(errno(r));
                }
            }
        } finally {
            sys.close(fd);
        }
        return initModule(sys, path, options, forceVermagic, forceModversion);
    }

    /**
     * kmod's do_init_module: the image read (decompressed) here; a file its decoder rejects
     * answers what the decoder said, as libkmod logs it before the insert fails.
     */
    private Insertion initModule(Syscalls sys, String path, String options, boolean forceVermagic,
                                        boolean forceModversion) {
        ByteBuffer contents;
        try {
            contents = ModuleFile.contents(Path.of(path), zstdReading);
        } catch (ModuleLoadException e) {
            return e.decoderError().<Insertion>map(Insertion.Undecodable::new)
                    .orElse(Insertion.of(LinuxErrno.EINVAL));
        } catch (IOException e) {
            return Insertion.of(LinuxErrno.of(e));
        }
        // JNA allocates no empty block; the kernel refuses one byte as it refuses nothing (ENOEXEC)
        Memory image = new Memory(Math.max(1, contents.remaining()));
        ByteBuffer copy = image.getByteBuffer(0, image.size());
        copy.put(contents.duplicate());
        copy.clear();
        if (forceVermagic || forceModversion) {
            try {
                ForcedImage.strip(copy, path, forceModversion, forceVermagic);
            } catch (ElfFormatException e) {
                return Insertion.of(e.isNotElf() ? LinuxErrno.ENOEXEC : LinuxErrno.EINVAL);
            }
        }
        return Insertion.of(errno(sys.initModule(image, options)));
    }

    @Override
    public int remove(String module, boolean force) {
        int flags = Syscalls.O_NONBLOCK | (force ? Syscalls.O_TRUNC : 0);
        return errno(syscalls().deleteModule(module, flags));
    }

    /** The errno of a call's result (minus the errno, or a non-negative success), 0 for success. */
    private static int errno(int result) {
        return result < 0 ? -result : 0;
    }

    /**
     * What the kernel decompresses itself, as libkmod reads it from sysfs: one word, as the
     * kernel's CONFIG_MODULE_COMPRESS_* names it. Kernels before 6.4 have no such file.
     */
    private static Compression kernelCompression() {
        try {
            return switch (Files.readString(KERNEL_COMPRESSION, StandardCharsets.ISO_8859_1)) {
                case "zstd\n" -> Compression.ZSTD;
                case "xz\n" -> Compression.XZ;
                case "gzip\n" -> Compression.GZIP;
                default -> Compression.NONE;
            };
        } catch (IOException e) {
            return Compression.NONE;
        }
    }

    private Syscalls syscalls() {
        if (syscalls == null) {
            syscalls = Syscalls.bind(numbers);
        }
        return syscalls;
    }
}
