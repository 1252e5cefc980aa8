package modtools.modfs.host;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The root {@code log}: lines from the host and from modules, each after a timestamp in the
 * kernel's style (seconds since the host started). Bounded: past {@link #LIMIT} bytes the
 * oldest lines go, so a chatty module cannot exhaust the host's memory.
 */
public final class HostLog {
    static final int LIMIT = 1 << 20;
    private final long start = System.nanoTime();
    private byte[] bytes = new byte[4096];
    private int length;

    /** Adds {@code text}, one line per line it holds; chars are bytes (ISO-8859-1). */
    public synchronized void add(String text) {
        long micros = (System.nanoTime() - start) / 1000;
        String stamp = String.format("[%5d.%06d] ", micros / 1_000_000, micros % 1_000_000);
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty() || !text.endsWith("\n")) {
                append((stamp + line + "\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    public synchronized long length() {
        return length;
    }

    public synchronized byte[] read(long offset, int size) {
        if (offset >= length || offset < 0) {
            return new byte[0];
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(length, offset + size));
    }

    private void append(byte[] line) {
        if (length + line.length > LIMIT) {
            dropOldest(length + line.length - LIMIT / 2);
        }
        if (length + line.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + line.length));
        }
        System.arraycopy(line, 0, bytes, length, line.length);
        length += line.length;
    }

    /** Drops whole lines from the start until at least {@code count} bytes are gone. */
    private void dropOldest(int count) {
        int cut = Math.min(count, length);
        while (cut < length && bytes[cut - 1] != '\n') {
            cut++;
        }
        System.arraycopy(bytes, cut, bytes, 0, length - cut);
        length -= cut;
    }
}
