package modtools.deps.config;

import java.util.function.Consumer;
import modtools.deps.KmodLevel;
import modtools.deps.LogicalLines;
import modtools.deps.LibkmodMessage;

/**
 * One modprobe.d file, parsed as kmod_config_parse does: the first word names the
 * directive, words are separated by spaces and tabs, and the text of options, install,
 * remove and softdep lines is everything after the one separator that follows the module
 * name (further whitespace included). A line kmod cannot use is reported with its file and
 * number and skipped; the rest of the file still applies.
 */
final class ConfigParser {
    private final ModprobeConfig.Builder config;
    private final KmodLevel level;
    private final Consumer<LibkmodMessage> messages;

    ConfigParser(ModprobeConfig.Builder config, KmodLevel level, Consumer<LibkmodMessage> messages) {
        this.config = config;
        this.level = level;
        this.messages = messages;
    }

    /** {@code name} is the file name as kmod prints it in messages. */
    void parse(String name, byte[] content) {
        for (LogicalLines.Line line : LogicalLines.of(content, level)) {
            String text = line.text();
            if (text.isEmpty() || text.charAt(0) == '#') {
                continue;
            }
            Words words = new Words(text);
            String directive = words.next();
            if (directive == null) {
                continue;
            }
            if (directive.equals("include") || directive.equals("config")) {
                messages.accept(LibkmodMessage.error("libkmod-config.c", 708, "kmod_config_parse",
                        name + ": command " + directive + " is deprecated and not parsed anymore"));
            } else if (!apply(directive, words)) {
                messages.accept(LibkmodMessage.error("libkmod-config.c", 712, "kmod_config_parse",
                        name + " line " + line.number() + ": ignoring bad line starting with '" + directive + "'"));
            }
        }
    }

    /**
     * False for a line kmod calls bad: an unknown directive (weakdep is one before kmod 33) or
     * a missing or malformed word.
     */
    private boolean apply(String directive, Words words) {
        if (directive.equals("weakdep") && !level.weakdeps()) {
            return false;
        }
        switch (directive) {
            case "alias" -> {
                Underscores alias = underscores(words.next());
                Underscores module = alias.valid() ? underscores(words.next()) : alias;
                if (!module.valid()) {
                    return false;
                }
                config.aliases.add(new Alias(alias.text(), module.text()));
            }
            case "blacklist" -> {
                Underscores module = underscores(words.next());
                if (!module.valid()) {
                    return false;
                }
                config.blacklist.add(module.text());
            }
            case "options", "install", "remove", "softdep", "weakdep" -> {
                Underscores module = underscores(words.next());
                String rest = words.rest();
                if (!module.valid() || rest == null) {
                    return false;
                }
                switch (directive) {
                    case "options" -> config.options(module.text(), rest);
                    case "install" -> config.install.add(new ModuleCommand(module.text(), rest));
                    case "remove" -> config.remove.add(new ModuleCommand(module.text(), rest));
                    case "softdep" -> config.softdeps.add(Softdep.parse(module.text(), rest));
                    default -> config.weakdeps.add(Weakdep.parse(module.text(), rest));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** kmod's underscores() also rejects a missing word. */
    private static Underscores underscores(String word) {
        return word == null ? new Underscores("", false) : Underscores.of(word);
    }

    /**
     * glibc's strtok_r over one line with the delimiters " \t": a word ends at the first
     * delimiter, which is consumed; {@link #rest} is strtok_r with no delimiters, the whole
     * remainder, or null when nothing remains.
     */
    private static final class Words {
        private final String text;
        private int at;

        Words(String text) {
            this.text = text;
        }

        String next() {
            while (at < text.length() && isDelimiter(text.charAt(at))) {
                at++;
            }
            if (at == text.length()) {
                return null;
            }
            int start = at;
            while (at < text.length() && !isDelimiter(text.charAt(at))) {
                at++;
            }
            String word = text.substring(start, at);
            if (at < text.length()) {
                at++;
            }
            return word;
        }

        String rest() {
            if (at >= text.length()) {
                return null;
            }
            String rest = text.substring(at);
            at = text.length();
            return rest;
        }

        private static boolean isDelimiter(char c) {
            return c == ' ' || c == '\t';
        }
    }
}
