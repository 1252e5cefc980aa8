package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import modtools.deps.KmodLevel;
import modtools.modfs.ModfsServer;
import modtools.modfs.fuse.Outcome;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every option a command's --help lists at either kmod level (the option column of its lines that start with a
 * dash) is in its man page, as man renders the page that scripts/build-man makes from
 * man/*.scd (with scdoc).
 */
class ManPagesTest {
    /** An option word, not inside another word. */
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--?[A-Za-z0-9][A-Za-z0-9-]*");
    /** A line of the option list: its option column, up to the gap before the description. */
    private static final Pattern OPTION_LINE = Pattern.compile("^\\s+(-.*?)(?:\\s{2,}|\\t|$)", Pattern.MULTILINE);

    @TempDir
    static Path pages;

    @BeforeAll
    static void build() {
        Processes.Result r = Processes.run(null,
                List.of(Corpus.repoRoot().resolve("scripts/build-man").toString(), pages.toString()), 120);
        assertEquals(0, r.status(), r.stderrText());
    }

    @ParameterizedTest
    @CsvSource({
            "insmod, '', modtools-insmod.8", "rmmod, '', modtools-rmmod.8", "modprobe, '', modtools-modprobe.8",
            "depmod, '', modtools-depmod.8", "modinfo, '', modtools-modinfo.8", "lsmod, '', modtools-lsmod.8",
            "link, '', modtools-link.1", "modfs, mount, modtools.8", "modfs, umount, modtools.8",
            "symbolize, '', modtools.8"})
    void everyOptionOfTheHelpIsInTheManPage(String command, String sub, String page) {
        List<String> args = new ArrayList<>(sub.isEmpty() ? List.of() : List.of(sub));
        args.add("--help");
        assertHelpInPage(command, args, page);
    }

    /** Over modfs insmod's help lists what only its loader takes (--timeout). */
    @Test
    void everyOptionOfInsmodsHelpOverModfsIsInTheManPage(@TempDir Path dir) throws InterruptedException {
        Outcome<ModfsServer> mounted = ModfsServer.mount(dir);
        assertTrue(mounted instanceof Outcome.Done<ModfsServer>, "mount " + dir + ": " + mounted);
        ModfsServer server = ((Outcome.Done<ModfsServer>) mounted).value();
        Thread serving = new Thread(server::serve, "modfs for the help");
        serving.setDaemon(true);
        serving.start();
        try {
            assertHelpInPage("insmod", List.of("--modfs", dir.toString(), "--help"), "modtools-insmod.8");
        } finally {
            server.stop();
            serving.join(10_000);
        }
    }

    private static void assertHelpInPage(String command, List<String> args, String page) {
        String text = render(page);
        for (KmodLevel level : KmodLevel.values()) {
            Processes.Result help = Tool.ours(level, command, args);
            // kmod 30's lsmod has no --help: its usage comes as an error
            for (String option : options(help.stdoutText() + help.stderrText())) {
                assertTrue(Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])").matcher(text).find(),
                        option + " (from " + command + " " + String.join(" ", args) + " at " + level + ") is not in " + page);
            }
        }
    }

    private static Set<String> options(String help) {
        Set<String> found = new LinkedHashSet<>();
        Matcher line = OPTION_LINE.matcher(help);
        while (line.find()) {
            Matcher m = OPTION.matcher(line.group(1));
            while (m.find()) {
                found.add(m.group());
            }
        }
        return found;
    }

    /** The page as man shows it: no hyphenation or justification, wide enough that no option is broken. */
    private static String render(String page) {
        Processes.Result r = Processes.run(null, List.of("env", "MANWIDTH=250", "man", "--nh", "--nj", "-l", "-P", "cat",
                pages.resolve(page).toString()), 60);
        assertEquals(0, r.status(), r.stderrText());
        return r.stdoutText();
    }
}
