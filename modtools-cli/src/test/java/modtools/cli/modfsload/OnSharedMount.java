package modtools.cli.modfsload;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test classes whose tests share one {@link ModfsFixture}: mounted before the first test,
 * unmounted after the last, and left empty by each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnSharedMount {
    /** The class's temporary directory, which holds the fixture's tree and mount point. */
    Path tmp;
    ModfsFixture m;

    @BeforeAll
    void mount(@TempDir Path dir) throws IOException {
        tmp = dir;
        m = new ModfsFixture(dir);
    }

    @AfterAll
    void unmount() throws InterruptedException {
        m.close();
    }

    /** rmmod of whatever a test left; a class whose tests must remove their modules otherwise checks that instead. */
    @AfterEach
    void nothingLeft() throws IOException {
        m.removeAll();
    }
}
