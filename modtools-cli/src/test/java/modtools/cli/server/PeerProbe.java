package modtools.cli.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Connects to a server's socket, sends what its arguments say, and prints the server's first
 * line: run by the tests as another user, and in-process for garbage and oversized requests.
 */
public final class PeerProbe {
    private PeerProbe() {}

    public static void main(String[] args) throws IOException {
        System.out.println(exchange(Path.of(args[0]), new byte[0]));
    }

    /** Sends {@code bytes} and returns the reply's first line (empty if the server said nothing). */
    static String exchange(Path socket, byte[] bytes) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            if (bytes.length > 0) {
                channel.write(ByteBuffer.wrap(bytes));
            }
            ByteBuffer reply = ByteBuffer.allocate(4096);
            while (channel.read(reply) > 0 && reply.position() > 0 && reply.get(reply.position() - 1) != '\n') {
                // until the line ends or the server closes
            }
            String text = new String(reply.array(), 0, reply.position(), StandardCharsets.ISO_8859_1);
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        }
    }
}
