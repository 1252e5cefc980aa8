package modtools.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPathTest {
    @TempDir
    Path tmp;

    @Test
    void symlinkedParentIsResolvedTheWayMountinfoShowsIt() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        Path expected = real.toRealPath().resolve("modfs");
        assertEquals(expected, MountPath.of(link.resolve("modfs").toString(), Path.of("/")));
        assertEquals(expected, MountPath.of("link/../link/modfs", tmp));
        assertEquals(expected, MountPath.byDefault(link + "/modfs", Path.of("/")));
    }

    @Test
    void defaultPlaceIsRunModfsUnlessTheEnvironmentNamesOne() {
        assertEquals(Path.of("/run/modfs"), MountPath.byDefault(null, Path.of("/tmp")));
        assertEquals(Path.of("/run/modfs"), MountPath.byDefault("", Path.of("/tmp")));
    }

    @Test
    void aMountPointThatIsItselfALinkIsLeftAsItIs() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("target"));
        Path link = Files.createSymbolicLink(tmp.resolve("mnt"), target);
        assertEquals(tmp.toRealPath().resolve("mnt"), MountPath.of(link.toString(), Path.of("/")));
    }
}
