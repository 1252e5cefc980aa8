package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writable copies of a corpus tree for tools that write into the module directory. */
public final class ModuleTrees {
    private ModuleTrees() {}

    /**
     * {@code base}/lib/modules/VERSION with real directories and the corpus files linked, so
     * depmod can write indexes without touching the cache. Returns the module directory.
     */
    public static Path linkedCopy(Path corpusRoot, String version, Path base) throws IOException {
        Path tree = base.resolve("lib/modules").resolve(version);
        Files.createDirectories(tree.getParent());
        Tool.Result copy = Tool.run(List.of("cp", "-as", corpusRoot.resolve("lib/modules").resolve(version).toString(),
                tree.toString()));
        assertEquals(0, copy.status(), copy.stderrText());
        return tree;
    }

    /** Removes the copy's links before JUnit's cleanup, which warns about links leaving the temp dir. */
    public static void remove(Path base) {
        Tool.run(List.of("rm", "-rf", base.resolve("lib").toString()));
    }
}
