package modtools.modfs.host;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import modtools.modfs.fuse.Libc;

/**
 * The host's native part (src/main/c/modfshost.c, built into the jar by the build): calls into
 * module code that return the signal when the module faults, and the host functions modules
 * call that lead back into Java. The library is loaded from a memfd, so the host writes no file
 * to load it.
 */
final class NativeHost {
    static final int CALL_INT = 0;
    static final int CALL_VOID = 1;
    static final int CALL_INT_ARG = 2;
    private static final String RESOURCE = "/modtools/modfs/host/libmodfshost.so";
    private static final int MFD_CLOEXEC = 1;
    private static final int EPERM = 1;

    /** {@code void (*)(const char *line)}: a module's log line, already copied out of module memory. */
    interface LogCallback extends Callback {
        void invoke(Pointer line);
    }

    /** {@code int (*)(void *fn, void *arg)}: a module starts a thread; 0 or a negative errno. */
    interface ThreadCallback extends Callback {
        int invoke(Pointer fn, Pointer arg);
    }

    /** Held for the process's lifetime: JNA frees a callback's native stub once its object is collected. */
    private static final LogCallback LOG = line -> ModuleThread.current()
            .ifPresent(t -> t.log(line.getString(0, StandardCharsets.ISO_8859_1.name())));
    private static final ThreadCallback THREAD = (fn, arg) -> ModuleThread.current()
            .map(t -> t.start(Pointer.nativeValue(fn), Pointer.nativeValue(arg))).orElse(-EPERM);
    static final NativeLibrary LIBRARY;

    static {
        LIBRARY = NativeLibrary.getInstance(unpack());
        Native.register(NativeHost.class, LIBRARY);
        if (modfs_host_start(LOG, THREAD) != 0) {
            throw new IllegalStateException("modfs host: cannot install the fault handlers");
        }
    }

    private NativeHost() {}

    private static native int modfs_host_start(LogCallback log, ThreadCallback thread);

    private static native int modfs_call(long fn, long arg, int kind, long[] fault, int[] result);

    /** Calls module code at {@code fn} as {@code kind}; what it returned, or the fault that stopped it. */
    static ModuleCall call(long fn, long arg, int kind) {
        long[] fault = new long[5];
        int[] result = new int[1];
        int signal = modfs_call(fn, arg, kind, fault, result);
        return signal == 0 ? new ModuleCall.Returned(result[0])
                : new ModuleCall.Faulted(new Fault((int) fault[0], (int) fault[1], fault[2], fault[3], fault[4]));
    }

    /** The library's bytes in a memfd, named by its /proc/self/fd path for dlopen. */
    private static String unpack() {
        byte[] bytes;
        try (InputStream in = NativeHost.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("modfs host: " + RESOURCE + " is missing from the build");
            }
            bytes = in.readAllBytes();
            int fd = Function.getFunction(NativeLibrary.getInstance(Libc.LIBRARY).getFunction("memfd_create"))
                    .invokeInt(new Object[] {"modfshost", MFD_CLOEXEC});
            if (fd < 0) {
                throw new IllegalStateException("modfs host: memfd_create failed");
            }
            Path path = Path.of("/proc/self/fd/" + fd);
            Files.write(path, bytes);
            return path.toString();
        } catch (IOException e) {
            throw new IllegalStateException("modfs host: cannot load its native part: " + e.getMessage(), e);
        }
    }
}
