package modtools.cli.syslog;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A datagram socket standing in for /dev/log: syslog(3) sends each record as one datagram.
 * The JDK's Unix-domain channels are stream sockets only, hence JNA.
 */
final class LogSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_DONTWAIT = 0x40;

    static {
        Native.register(LogSocket.class, NativeLibrary.getProcess());
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, byte[] address, int length) throws LastErrorException;

    private static native long recv(int fd, byte[] buffer, long length, int flags);

    private static native int close(int fd);

    private final int fd;

    private LogSocket(int fd) {
        this.fd = fd;
    }

    /** A socket bound at {@code path} (shorter than sun_path's 108 bytes). */
    static LogSocket bind(Path path) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        byte[] address = new byte[2 + name.length + 1];
        address[0] = AF_UNIX; // sa_family_t, little-endian on the machines we run on
        System.arraycopy(name, 0, address, 2, name.length);
        try {
            bind(fd, address, address.length);
        } catch (LastErrorException e) {
            close(fd);
            throw e;
        }
        return new LogSocket(fd);
    }

    /** The records received since the last call, in order, bytes one per char. */
    List<String> drain() {
        List<String> records = new ArrayList<>();
        byte[] buffer = new byte[1 << 16];
        long n;
        while ((n = recv(fd, buffer, buffer.length, MSG_DONTWAIT)) >= 0) {
            records.add(new String(buffer, 0, (int) n, StandardCharsets.ISO_8859_1));
        }
        return records;
    }

    @Override
    public void close() {
        close(fd);
    }
}
