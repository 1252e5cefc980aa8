package modtools.deps.resolve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.deps.LibkmodMessage;
import modtools.deps.cache.ReadCache;
import modtools.deps.index.IndexFile;
import modtools.deps.index.IndexFile.Access;
import modtools.deps.index.IndexFile.IndexValue;
import modtools.deps.index.IndexFormatException;

/**
 * A module directory's binary indexes as modprobe reads them. Like kmod_load_resources,
 * it first tries to keep modules.dep.bin, modules.alias.bin, modules.symbols.bin,
 * modules.builtin.alias.bin and modules.builtin.bin open (the builtin alias index may
 * fail alone); if any other one fails, every lookup opens its index afresh with kmod's
 * stdio reader, which orders values of equal priority differently (see {@link Access}).
 * An index that cannot be read is as good as missing; a lookup in a corrupt one finds
 * nothing.
 */
public final class ModuleIndexes {
    /** The indexes, in the order kmod loads them. */
    public enum Kind {
        DEP("modules.dep"),
        ALIAS("modules.alias"),
        SYMBOL("modules.symbols"),
        BUILTIN_ALIAS("modules.builtin.alias"),
        BUILTIN("modules.builtin");

        private final String file;

        Kind(String file) {
            this.file = file;
        }
    }

    private static final int MAGIC = IndexFile.MAGIC;
    private static final int MAJOR = IndexFile.VERSION >>> 16;

    private final String directory;
    private final Map<Kind, IndexFile> mapped;
    private final List<LibkmodMessage> messages;
    private final ReadCache cache;
    private final Map<Kind, Optional<IndexFile>> streamed = new EnumMap<>(Kind.class);

    private ModuleIndexes(String directory, Map<Kind, IndexFile> mapped, List<LibkmodMessage> messages,
                          ReadCache cache) {
        this.directory = directory;
        this.mapped = mapped;
        this.messages = messages;
        this.cache = cache;
    }

    /** Opens the indexes of the (absolute) module directory, kept in {@code cache} between calls. */
    public static ModuleIndexes load(String directory, ReadCache cache) {
        Map<Kind, IndexFile> mapped = new EnumMap<>(Kind.class);
        List<LibkmodMessage> messages = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            Path path = Path.of(directory, kind.file + ".bin");
            Mapped opened = cache.get(new MappedKey(path), () -> openMapped(path));
            messages.addAll(opened.messages());
            if (opened.index().isPresent()) {
                mapped.put(kind, opened.index().get());
            } else if (kind != Kind.BUILTIN_ALIAS) {
                mapped.clear();
                break;
            }
        }
        return new ModuleIndexes(directory, mapped, List.copyOf(messages), cache);
    }

    /** What kmod logged while opening the indexes (a bad magic or version). */
    public List<LibkmodMessage> messages() {
        return messages;
    }

    public String directory() {
        return directory;
    }

    /** The modules.dep line of a module name. */
    public Optional<String> dependencyLine(String name) {
        return search(Kind.DEP, name);
    }

    /** Whether modules.builtin lists the name. */
    public boolean isBuiltin(String name) {
        return search(Kind.BUILTIN, name).isPresent();
    }

    /**
     * The module names an alias index gives for a name, matching its patterns; empty when the
     * index cannot be opened (kmod then tries its next source).
     */
    public Optional<List<String>> names(Kind kind, String name) {
        Optional<IndexFile> index = index(kind);
        if (index.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(index.get().searchWild(name, access(kind)).stream().map(IndexValue::value).toList());
        } catch (IndexFormatException e) {
            return Optional.of(List.of());
        }
    }

    /** Every key and value of an index as kmod's dump lists them, each line "PREFIX KEY VALUE". */
    public String dump(Kind kind, String prefix) {
        Optional<IndexFile> index = index(kind);
        StringBuilder out = new StringBuilder();
        if (index.isPresent()) {
            try {
                for (IndexFile.Entry e : index.get().entries(access(kind))) {
                    out.append(prefix).append(e.key()).append(' ').append(e.value()).append('\n');
                }
            } catch (IndexFormatException e) {
                // kmod's dump stops where the damage starts; we print none of a damaged index
            }
        }
        return out.toString();
    }

    private Access access(Kind kind) {
        return mapped.containsKey(kind) ? Access.MAPPED : Access.STREAM;
    }

    private Optional<String> search(Kind kind, String key) {
        Optional<IndexFile> index = index(kind);
        try {
            return index.isEmpty() ? Optional.empty() : index.get().search(key, access(kind));
        } catch (IndexFormatException e) {
            return Optional.empty();
        }
    }

    private Optional<IndexFile> index(Kind kind) {
        IndexFile loaded = mapped.get(kind);
        if (loaded != null) {
            return Optional.of(loaded);
        }
        return streamed.computeIfAbsent(kind, k -> {
            try {
                return IndexFile.open(Path.of(directory, k.file + ".bin"), cache);
            } catch (IndexFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** An index as index_mm_open opened it, and what it logged. */
    private record Mapped(Optional<IndexFile> index, List<LibkmodMessage> messages) {}

    private record MappedKey(Path path) {}

    /** index_mm_open: a missing or short file fails quietly, a bad header with a message. */
    private static ReadCache.Kept<Mapped> openMapped(Path path) {
        byte[] header = new byte[12];
        try (InputStream in = Files.newInputStream(path)) {
            if (in.readNBytes(header, 0, header.length) < header.length) {
                return kept(path, Optional.empty(), List.of());
            }
        } catch (NoSuchFileException e) {
            return kept(path, Optional.empty(), List.of());
        } catch (IOException e) {
            return ReadCache.Kept.once(new Mapped(Optional.empty(), List.of()));
        }
        ByteBuffer words = ByteBuffer.wrap(header);
        int magic = words.getInt(0);
        int version = words.getInt(4);
        if (magic != MAGIC) {
            return kept(path, Optional.empty(), List.of(LibkmodMessage.error("libkmod-index.c", 790, "index_mm_open",
                    "magic check fail: " + Integer.toHexString(magic) + " instead of " + Integer.toHexString(MAGIC))));
        }
        if (version >>> 16 != MAJOR) {
            return kept(path, Optional.empty(), List.of(LibkmodMessage.error("libkmod-index.c", 797, "index_mm_open",
                    "major version check fail: " + (version >>> 16) + " instead of " + MAJOR)));
        }
        try {
            return kept(path, IndexFile.open(path), List.of());
        } catch (IndexFormatException e) {
            return ReadCache.Kept.once(new Mapped(Optional.empty(), List.of()));
        }
    }

    private static ReadCache.Kept<Mapped> kept(Path path, Optional<IndexFile> index, List<LibkmodMessage> messages) {
        return new ReadCache.Kept<>(new Mapped(index, messages), List.of(path), index.isPresent() ? index.get().size() : 0);
    }
}
