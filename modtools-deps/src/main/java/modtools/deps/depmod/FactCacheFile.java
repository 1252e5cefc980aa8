package modtools.deps.depmod;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import modtools.deps.cache.FileKey;
import modtools.elf.module.Export;
import modtools.elf.module.Import;
import modtools.elf.module.ModInfoEntry;

/**
 * The fact cache's file format (docs/depmod-cache.md): a 24-byte header (magic, format version,
 * CRC-32C and length of the body), then the body: the module directory it was made for, one
 * table of every distinct string, and each module's key and facts as indexes into that table.
 * Numbers are unsigned LEB128, so a file for Debian's 4,000 modules takes about 2 MB, and
 * loading it makes each symbol name once however many modules import it.
 */
final class FactCacheFile {
    static final int VERSION = 1;
    private static final byte[] MAGIC = "MTFACTS\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER_SIZE = 24;
    private static final int VERSION_AT = 8;
    private static final int CRC_AT = 12;
    private static final int LENGTH_AT = 16;
    /** A body larger than this is no cache of ours (a tree of 100,000 modules stays well below). */
    private static final long MAX_BODY = 1L << 30;

    /** One module's facts and the key of the file they were read from. */
    record Entry(String path, FileKey key, ModuleFacts facts) {}

    /** A file that is not a cache this version can use; the message says why, for the warning. */
    static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    private FactCacheFile() {}

    /**
     * The entries of the cache file {@code file}, made for {@code moduleDirectory}, by path.
     *
     * @throws java.nio.file.NoSuchFileException when there is no cache yet
     */
    static Map<String, Entry> read(Path file, String moduleDirectory) throws IOException, Unusable {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            if (!Arrays.equals(header.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new Unusable("not a fact cache");
            }
            int version = header.getInt(VERSION_AT);
            if (version != VERSION) {
                throw new Unusable("format version " + Integer.toUnsignedString(version) + ", not " + VERSION);
            }
            long length = header.getLong(LENGTH_AT);
            if (length < 0 || length > MAX_BODY || length != channel.size() - HEADER_SIZE) {
                throw new Unusable("truncated or extended (" + channel.size() + " bytes, the header says "
                        + (HEADER_SIZE + length) + ")");
            }
            ByteBuffer body = ByteBuffer.allocate((int) length);
            readFully(channel, body, HEADER_SIZE);
            CRC32C crc = new CRC32C();
            crc.update(body.array(), 0, body.capacity());
            if ((int) crc.getValue() != header.getInt(CRC_AT)) {
                throw new Unusable("checksum mismatch");
            }
            return new Decoder(body.array()).entries(moduleDirectory);
        } catch (EOFException e) {
            throw new Unusable("truncated");
        }
    }

    /**
     * The module directory a cache file of this format was made for, read from the start of its
     * body alone (the checksum is not checked); empty for a file that is not one.
     */
    static Optional<String> moduleDirectory(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= HEADER_SIZE) {
                return Optional.empty();
            }
            // a path's length as a varint, then the path: PATH_MAX bytes at most
            ByteBuffer start = ByteBuffer.allocate((int) Math.min(size, HEADER_SIZE + 2 + 4096))
                    .order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, start, 0);
            byte[] bytes = start.array();
            if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length) || start.getInt(VERSION_AT) != VERSION) {
                return Optional.empty();
            }
            return Optional.of(new Decoder(Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length)).string());
        } catch (EOFException | Unusable e) {
            return Optional.empty();
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long at) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into, at + into.position()) < 0) {
                throw new EOFException();
            }
        }
    }

    /** The whole file for {@code entries}, header included. */
    static byte[] encode(String moduleDirectory, List<Entry> entries) {
        Encoder out = new Encoder(entries, moduleDirectory);
        byte[] body = out.body();
        CRC32C crc = new CRC32C();
        crc.update(body, 0, out.size());
        ByteBuffer file = ByteBuffer.allocate(HEADER_SIZE + out.size()).order(ByteOrder.LITTLE_ENDIAN);
        file.put(MAGIC).putInt(VERSION).putInt((int) crc.getValue()).putLong(out.size()).put(body, 0, out.size());
        return file.array();
    }

    /** Writes the body: strings first, so that each entry is a run of small numbers. */
    private static final class Encoder {
        private final Map<String, Integer> strings = new HashMap<>(1 << 16);
        private final List<String> table = new ArrayList<>(1 << 16);
        private byte[] bytes = new byte[1 << 20];
        private int size;

        Encoder(List<Entry> entries, String moduleDirectory) {
            for (Entry e : entries) {
                index(relative(e.path(), moduleDirectory));
                for (Export x : e.facts().exports()) {
                    index(x.symbol());
                }
                for (Import i : e.facts().imports()) {
                    index(i.symbol());
                }
                for (ModInfoEntry m : e.facts().info()) {
                    index(m.key());
                    index(m.value());
                }
            }
            string(moduleDirectory);
            number(table.size());
            for (String s : table) {
                string(s);
            }
            number(entries.size());
            for (Entry e : entries) {
                entry(e, moduleDirectory);
            }
        }

        private void entry(Entry e, String moduleDirectory) {
            boolean inside = inside(e.path(), moduleDirectory);
            number((long) strings.get(relative(e.path(), moduleDirectory)) << 1 | (inside ? 1 : 0));
            FileKey k = e.key();
            number(k.size());
            number(zigzag(k.mtimeNanos()));
            number(zigzag(k.ctimeNanos()));
            number(k.inode());
            number(k.device());
            ModuleFacts f = e.facts();
            number(f.exports().size());
            for (Export x : f.exports()) {
                number(strings.get(x.symbol()));
                number(x.crc());
            }
            number(f.imports().size());
            for (Import i : f.imports()) {
                number((long) strings.get(i.symbol()) << 1 | (i.weak() ? 1 : 0));
                number(i.crc());
            }
            number(f.info().size());
            for (ModInfoEntry m : f.info()) {
                number(strings.get(m.key()));
                number(strings.get(m.value()));
            }
        }

        private void index(String s) {
            if (strings.putIfAbsent(s, table.size()) == null) {
                table.add(s);
            }
        }

        private void string(String s) {
            byte[] text = s.getBytes(StandardCharsets.ISO_8859_1);
            number(text.length);
            reserve(text.length);
            System.arraycopy(text, 0, bytes, size, text.length);
            size += text.length;
        }

        private void number(long value) {
            reserve(10);
            long v = value;
            while ((v & ~0x7fL) != 0) {
                bytes[size++] = (byte) (v | 0x80);
                v >>>= 7;
            }
            bytes[size++] = (byte) v;
        }

        private void reserve(int n) {
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
            }
        }

        byte[] body() {
            return bytes;
        }

        int size() {
            return size;
        }
    }

    /** Reads the body, checking every index and length against what the file holds. */
    private static final class Decoder {
        private final byte[] bytes;
        private int at;
        private String[] table;

        Decoder(byte[] bytes) {
            this.bytes = bytes;
        }

        Map<String, Entry> entries(String moduleDirectory) throws Unusable {
            String directory = string();
            if (!directory.equals(moduleDirectory)) {
                throw new Unusable("made for " + directory);
            }
            table = new String[count()];
            for (int i = 0; i < table.length; i++) {
                table[i] = string();
            }
            int modules = count();
            Map<String, Entry> out = new HashMap<>(modules * 2);
            String prefix = moduleDirectory + "/";
            for (int m = 0; m < modules; m++) {
                long pathRef = number();
                String path = (pathRef & 1) != 0 ? prefix + lookup(pathRef >>> 1) : lookup(pathRef >>> 1);
                FileKey key = new FileKey(number(), unzigzag(number()), unzigzag(number()), number(), number());
                Export[] exports = new Export[count()];
                for (int i = 0; i < exports.length; i++) {
                    exports[i] = new Export(lookup(number()), number());
                }
                Import[] imports = new Import[count()];
                for (int i = 0; i < imports.length; i++) {
                    long ref = number();
                    imports[i] = new Import(lookup(ref >>> 1), (ref & 1) != 0, number());
                }
                ModInfoEntry[] info = new ModInfoEntry[count()];
                for (int i = 0; i < info.length; i++) {
                    info[i] = new ModInfoEntry(lookup(number()), lookup(number()));
                }
                out.put(path, new Entry(path, key,
                        new ModuleFacts(Arrays.asList(exports), Arrays.asList(imports), Arrays.asList(info), null, null)));
            }
            if (at != bytes.length) {
                throw new Unusable("corrupt: " + (bytes.length - at) + " bytes after the last module");
            }
            return out;
        }

        private String lookup(long index) throws Unusable {
            if (index >= table.length) {
                throw new Unusable("corrupt: string " + index + " of " + table.length);
            }
            return table[(int) index];
        }

        /** A count of things still to come, each at least a byte: never more than the bytes left. */
        private int count() throws Unusable {
            long n = number();
            if (n > bytes.length - at) {
                throw new Unusable("corrupt: a count of " + n + " with " + (bytes.length - at) + " bytes left");
            }
            return (int) n;
        }

        private String string() throws Unusable {
            int length = count();
            String s = new String(bytes, at, length, StandardCharsets.ISO_8859_1);
            at += length;
            return s;
        }

        private long number() throws Unusable {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= bytes.length) {
                    throw new Unusable("corrupt: ends inside a number");
                }
                byte b = bytes[at++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new Unusable("corrupt: a number of more than 64 bits");
        }
    }

    /** Module paths are kept below the module directory, which the file names once. */
    private static String relative(String path, String moduleDirectory) {
        return inside(path, moduleDirectory) ? path.substring(moduleDirectory.length() + 1) : path;
    }

    private static boolean inside(String path, String moduleDirectory) {
        int n = moduleDirectory.length();
        return path.length() > n + 1 && path.charAt(n) == '/' && path.startsWith(moduleDirectory);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
