package modtools.deps.depmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.deps.LogicalLines;
import modtools.deps.cache.ReadCache;

/**
 * depmod's configuration from depmod.d files, read as kmod reads it (cfg_load). Every list
 * is in the order the lines were read; kmod itself keeps each list newest first.
 *
 * <p>Paths, names and versions are byte strings (ISO-8859-1 text).
 *
 * @param kernelVersion the version the override and external lines were matched against
 * @param searches      the {@code search} words; just {@code updates} when no line named any
 * @param overrides     the {@code override} lines whose kernel pattern matched
 * @param externals     the first directory of each matching {@code external} line
 * @param excludes      the {@code exclude} words: names skipped anywhere in the walk
 */
public record DepmodConfig(String kernelVersion, List<Search> searches, List<ModuleOverride> overrides,
                           List<String> externals, List<String> excludes) {

    /** What kmod searches when no {@code search} line named anything. */
    private static final String DEFAULT_SEARCH = "updates";

    public DepmodConfig {
        searches = List.copyOf(searches);
        overrides = List.copyOf(overrides);
        externals = List.copyOf(externals);
        excludes = List.copyOf(excludes);
    }

    /** One word of a {@code search} line. */
    public record Search(Kind kind, String subdir) {
        /** In kmod's order, whose numbers its debug output prints. */
        public enum Kind { SUBDIR, BUILT_IN, EXTERNAL }

        /** kmod's reading of a word: the two keywords, or a directory under the module directory. */
        static Search of(String word) {
            return switch (word) {
                case "built-in" -> new Search(Kind.BUILT_IN, null);
                case "external" -> new Search(Kind.EXTERNAL, null);
                default -> new Search(Kind.SUBDIR, word);
            };
        }

        /** The word as kmod prints it. */
        String word() {
            return switch (kind) {
                case BUILT_IN -> "built-in";
                case EXTERNAL -> "external";
                case SUBDIR -> subdir;
            };
        }
    }

    /** {@code override MODULE KERNEL SUBDIR}: MODULE found in SUBDIR wins over its namesakes. */
    public record ModuleOverride(String module, String subdir) {
        /**
         * What kmod compares with a module's path below the module directory, up to the
         * module's name: SUBDIR/MODULE, no extension, and MODULE spelt as in the file name.
         */
        public String path() {
            return subdir + "/" + module;
        }
    }

    private record Key(KmodLevel level, List<String> paths, String kernelVersion, Path cwd) {}

    private record Logged(LogSink.Level level, String message) {}

    /** The configuration and the messages reading it gave, to be given again whenever it is used. */
    private record Read(DepmodConfig config, List<Logged> messages) {}

    /**
     * Reads the files named by {@code paths} (the level's {@code depmodConfigPaths()} without
     * -C, the host's directories whatever -b says, as kmod never prefixes them; relative
     * paths count from {@code cwd}) for kernel {@code kernelVersion}, sending kmod's messages
     * to {@code log}; kept in {@code cache} while none of its files, nor the directories
     * listed, change.
     */
    public static DepmodConfig load(KmodLevel level, List<String> paths, String kernelVersion, Path cwd,
                                    LogSink log, ReadCache cache) {
        Read read = cache.get(new Key(level, List.copyOf(paths), kernelVersion, cwd), () -> {
            List<Logged> messages = new ArrayList<>();
            LogSink record = (l, message) -> messages.add(new Logged(l, message));
            Parser parser = new Parser(level, kernelVersion, record);
            ConfigFiles.Listing listing = ConfigFiles.list(paths, cwd, record);
            for (ConfigFiles.ConfigFile file : listing.files()) {
                parser.parse(file.path(), cwd);
            }
            if (parser.searches.isEmpty()) {
                parser.addSearch(DEFAULT_SEARCH);
            }
            DepmodConfig config = new DepmodConfig(kernelVersion, parser.searches, parser.overrides,
                    parser.externals, parser.excludes);
            // a few hundred bytes a line at most; depmod.d holds a handful of lines
            return new ReadCache.Kept<>(new Read(config, List.copyOf(messages)), listing.consulted(),
                    256L * (messages.size() + parser.lines));
        });
        read.messages().forEach(m -> log.log(m.level(), m.message()));
        return read.config();
    }

    /** cfg_file_parse over the files in order, collecting what the lines add. */
    private static final class Parser {
        private final KmodLevel level;
        private final String kernelVersion;
        private final LogSink log;
        final List<Search> searches = new ArrayList<>();
        final List<ModuleOverride> overrides = new ArrayList<>();
        final List<String> externals = new ArrayList<>();
        final List<String> excludes = new ArrayList<>();
        int lines;

        Parser(KmodLevel level, String kernelVersion, LogSink log) {
            this.level = level;
            this.kernelVersion = kernelVersion;
            this.log = log;
        }

        void parse(String path, Path cwd) {
            byte[] data;
            try {
                data = Files.readAllBytes(cwd.resolve(ByteStrings.path(path)));
            } catch (IOException e) {
                log.log(LogSink.Level.ERROR, "file parse " + path + ": " + ByteStrings.strerror(e));
                return;
            }
            for (LogicalLines.Line line : LogicalLines.of(data, level)) {
                // only a '#' in the first column starts a comment
                if (line.text().isEmpty() || line.text().charAt(0) == '#') {
                    continue;
                }
                List<String> words = ConfigWords.words(line.text());
                lines++;
                if (!words.isEmpty()) {
                    command(path, line.number(), words);
                }
            }
        }

        private void command(String path, int number, List<String> words) {
            String where = path + ":" + number + ": ";
            String command = words.get(0);
            switch (command) {
                case "search" -> words.subList(1, words.size()).forEach(this::addSearch);
                case "override" -> {
                    if (words.size() < 4) {
                        badLine(where, command);
                    } else if (!kernelMatches(words.get(2))) {
                        log.log(LogSink.Level.INFO, where + "override kernel did not match " + words.get(2));
                    } else {
                        ModuleOverride o = new ModuleOverride(words.get(1), words.get(3));
                        log.log(LogSink.Level.DEBUG, "override add: " + o.path());
                        overrides.add(o);
                    }
                }
                case "external" -> {
                    // only the first directory counts; more words are ignored
                    if (words.size() < 3) {
                        badLine(where, command);
                    } else if (!kernelMatches(words.get(1))) {
                        log.log(LogSink.Level.INFO, where + "external directory did not match " + words.get(1));
                    } else {
                        log.log(LogSink.Level.DEBUG, "external add: " + words.get(2));
                        externals.add(words.get(2));
                    }
                }
                case "exclude" -> {
                    for (String dir : words.subList(1, words.size())) {
                        log.log(LogSink.Level.DEBUG, "exclude add: " + dir);
                        excludes.add(dir);
                    }
                }
                case "include", "make_map_files" ->
                        log.log(LogSink.Level.INFO, where + "command " + command + " not implemented yet");
                default -> badLine(where, command);
            }
        }

        void addSearch(String word) {
            Search s = Search.of(word);
            log.log(LogSink.Level.DEBUG, "search add: " + word + ", search type=" + s.kind().ordinal());
            searches.add(s);
        }

        private void badLine(String where, String command) {
            log.log(LogSink.Level.ERROR, where + "ignoring bad line starting with '" + command + "'");
        }

        /** cfg_kernel_matches: "*" matches any kernel, anything else is an extended regex searched in the version. */
        private boolean kernelMatches(String pattern) {
            return pattern.equals("*") || PosixEre.search(pattern, kernelVersion);
        }
    }
}
