package modtools.modfs.host;

import com.code_intelligence.jazzer.junit.FuzzTest;
import modtools.contract.ImageHeader;
import modtools.modfs.fuse.Outcome;

/**
 * The host's image-header check on any image: refused with ENOEXEC, or a header whose regions
 * the host can protect (W^X) without touching memory outside the image.
 */
class ImageCheckFuzzTest {
    private static final int SIZE = 16 * (int) Memory.PAGE;
    private static final Mapping MAPPING = ((Outcome.Done<Mapping>) Memory.reserve(SIZE)).value();

    @FuzzTest(maxDuration = "10m")
    void imageHeader(byte[] bytes) {
        int size = Math.min(bytes.length, SIZE);
        Memory.unprotect(MAPPING);
        Memory.zero(MAPPING, 0, SIZE);
        Memory.view(MAPPING, 0, size).put(bytes, 0, size);
        Outcome<ImageHeader> checked = ImageCheck.check(MAPPING, size);
        if (checked instanceof Outcome.Done<ImageHeader> d) {
            if (Memory.protect(MAPPING, d.value()) instanceof Outcome.Failed<Void> f) {
                throw new AssertionError("a header that passed the check cannot be protected: " + f.why());
            }
        }
        Memory.unprotect(MAPPING);
    }
}
