package modtools.modfs.host;

import java.util.List;
import java.util.Optional;
import modtools.contract.ImageHeader;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.Outcome;

/**
 * What the host checks before it calls anything in an image: a chain of small checks, each
 * naming the field it found wrong. Any failure is ENOEXEC. Sizes and addresses are compared as
 * unsigned values, so a hostile header cannot wrap around into the image.
 */
public final class ImageCheck {
    /** One check over the header of an image mapped at {@code base} whose file is {@code size} bytes. */
    private interface Check {
        Optional<String> problem(ImageHeader h, long base, long size);
    }

    private static final List<Check> CHECKS = List.of(
            ImageCheck::magic, ImageCheck::version, ImageCheck::headerSize, ImageCheck::imageSize,
            ImageCheck::coreSize, ImageCheck::coreRegions, ImageCheck::initRegions, ImageCheck::entryPoints);

    private ImageCheck() {}

    /** The header of the {@code size}-byte image at {@code mapping}, if it is consistent. */
    public static Outcome<ImageHeader> check(Mapping mapping, long size) {
        if (size < ImageHeader.SIZE) {
            return Outcome.failed(Errno.ENOEXEC, "the image is " + size + " bytes, smaller than its header");
        }
        ImageHeader h = ImageHeader.read(Memory.view(mapping, 0, ImageHeader.SIZE));
        for (Check check : CHECKS) {
            Optional<String> problem = check.problem(h, mapping.address(), size);
            if (problem.isPresent()) {
                return Outcome.failed(Errno.ENOEXEC, problem.get());
            }
        }
        return Outcome.done(h);
    }

    private static Optional<String> magic(ImageHeader h, long base, long size) {
        return h.magic() == ImageHeader.MAGIC ? Optional.empty()
                : problem("magic 0x%08x is not MODF (0x%08x)", h.magic(), ImageHeader.MAGIC);
    }

    private static Optional<String> version(ImageHeader h, long base, long size) {
        return h.version() == ImageHeader.VERSION ? Optional.empty()
                : problem("version %d is not %d", h.version(), ImageHeader.VERSION);
    }

    private static Optional<String> headerSize(ImageHeader h, long base, long size) {
        return h.headerSize() >= ImageHeader.SIZE && below(h.headerSize(), h.imageSize() + 1) ? Optional.empty()
                : problem("header_size %d is not between %d and image_size", h.headerSize(), ImageHeader.SIZE);
    }

    private static Optional<String> imageSize(ImageHeader h, long base, long size) {
        return below(h.imageSize(), size + 1) ? Optional.empty()
                : problem("image_size %s is past the end of the %d-byte module", Long.toUnsignedString(h.imageSize()),
                size);
    }

    private static Optional<String> coreSize(ImageHeader h, long base, long size) {
        if (!below(h.coreSize(), h.imageSize() + 1)) {
            return problem("core_size %s is past image_size %d", Long.toUnsignedString(h.coreSize()), h.imageSize());
        }
        return aligned(h.coreSize(), h.imageSize()) ? Optional.empty()
                : problem("core_size 0x%x is not page aligned", h.coreSize());
    }

    /** [base, text_end) code, [text_end, rodata_end) read-only, both inside the core. */
    private static Optional<String> coreRegions(ImageHeader h, long base, long size) {
        long coreEnd = base + h.coreSize();
        if (!within(h.textEnd(), base + h.headerSize(), coreEnd) || !aligned(h.textEnd() - base, h.coreSize())) {
            return problem("text_end 0x%x is not a page boundary in the core [0x%x, 0x%x)", h.textEnd(), base, coreEnd);
        }
        if (!within(h.rodataEnd(), h.textEnd(), coreEnd) || !aligned(h.rodataEnd() - base, h.coreSize())) {
            return problem("rodata_end 0x%x is not a page boundary in [text_end 0x%x, 0x%x]", h.rodataEnd(),
                    h.textEnd(), coreEnd);
        }
        return Optional.empty();
    }

    /** [core_size, init_text_end) init code; the rest of the tail is init data. */
    private static Optional<String> initRegions(ImageHeader h, long base, long size) {
        long coreEnd = base + h.coreSize();
        long end = base + h.imageSize();
        return within(h.initTextEnd(), coreEnd, end) && aligned(h.initTextEnd() - base, h.imageSize())
                ? Optional.empty()
                : problem("init_text_end 0x%x is not a page boundary in the init tail [0x%x, 0x%x]",
                h.initTextEnd(), coreEnd, end);
    }

    /** init in code (core or init), exit in core code: what runs must be in what will be executable. */
    private static Optional<String> entryPoints(ImageHeader h, long base, long size) {
        long code = base + h.headerSize();
        long coreEnd = base + h.coreSize();
        if (h.init() != 0 && !inside(h.init(), code, h.textEnd()) && !inside(h.init(), coreEnd, h.initTextEnd())) {
            return problem("init 0x%x lies outside the image's code", h.init());
        }
        if (h.exit() != 0 && !inside(h.exit(), code, h.textEnd())) {
            return problem("exit 0x%x lies outside the image's core code", h.exit());
        }
        return Optional.empty();
    }

    private static Optional<String> problem(String format, Object... args) {
        return Optional.of(String.format(format, args));
    }

    private static boolean below(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    /** lo <= x <= hi, unsigned. */
    private static boolean within(long x, long lo, long hi) {
        return !below(x, lo) && !below(hi, x);
    }

    /** lo <= x < hi, unsigned. */
    private static boolean inside(long x, long lo, long hi) {
        return !below(x, lo) && below(x, hi);
    }

    /** A region boundary is a page boundary, or the very end of what it bounds. */
    private static boolean aligned(long offset, long end) {
        return offset % Memory.PAGE == 0 || offset == end;
    }
}
