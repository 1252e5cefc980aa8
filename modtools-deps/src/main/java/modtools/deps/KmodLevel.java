package modtools.deps;

import java.util.List;
import java.util.Optional;
import modtools.deps.index.IndexWriter;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.module.DigestNames;
import modtools.elf.module.ZstdReading;

/**
 * The kmod release whose behaviour the tools copy: kmod 34.2 (the newest, the default) or kmod
 * 30 (Debian 12's). It is read once, from {@code MODTOOLS_KMOD}, where a command starts and is
 * passed down; every behaviour that differs between the two releases is one answer here, so
 * the code that acts on it never compares releases itself.
 */
public enum KmodLevel {
    KMOD30("30", "30"),
    KMOD34("34", "34.2");

    /** The environment variable that picks the level: {@code 30} or {@code 34}. */
    public static final String VARIABLE = "MODTOOLS_KMOD";

    private final String setting;
    private final String release;

    KmodLevel(String setting, String release) {
        this.setting = setting;
        this.release = release;
    }

    /** The level an environment value names; unset or empty is the default, kmod 34.2. */
    public static Optional<KmodLevel> of(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of(KMOD34);
        }
        for (KmodLevel level : values()) {
            if (level.setting.equals(value)) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    /** The one line a command prints for a value that names no level. */
    public static String refusal(String value) {
        return VARIABLE + " must be 30 or 34, not '" + value + "'";
    }

    /** The value of {@link #VARIABLE} that picks this level. */
    public String setting() {
        return setting;
    }

    /** The release as {@code -V} prints it: "kmod version " + this. */
    public String release() {
        return release;
    }

    /**
     * Where modprobe.d lives without -C. kmod 32 added the distribution's directory
     * (/usr/lib) before /lib.
     */
    public List<String> modprobeConfigPaths() {
        return configPaths("modprobe.d");
    }

    /** Where depmod.d lives without -C, in the same order as modprobe.d. */
    public List<String> depmodConfigPaths() {
        return configPaths("depmod.d");
    }

    private List<String> configPaths(String name) {
        return switch (this) {
            case KMOD30 -> List.of("/etc/" + name, "/run/" + name, "/usr/local/lib/" + name, "/lib/" + name);
            case KMOD34 -> List.of("/etc/" + name, "/run/" + name, "/usr/local/lib/" + name, "/usr/lib/" + name,
                    "/lib/" + name);
        };
    }

    /** Whether a modprobe.d directory's {@code *.alias} files are configuration (kmod 33 dropped them). */
    public boolean readsAliasFiles() {
        return this == KMOD30;
    }

    /**
     * Whether {@code weakdep} is a directive, {@code .modinfo}'s {@code weakdep=} keys go to
     * modules.weakdep and that file is configuration (kmod 33).
     */
    public boolean weakdeps() {
        return this == KMOD34;
    }

    /** The node order of the binary indexes depmod writes: kmod 34 writes parents first. */
    public IndexWriter.Order indexOrder() {
        return this == KMOD30 ? IndexWriter.Order.CHILDREN_FIRST : IndexWriter.Order.PARENT_FIRST;
    }

    /**
     * Whether libkmod's messages name their C source location: Debian builds kmod 30 with
     * debugging and kmod 34.2 without.
     */
    public boolean libkmodSourceLocations() {
        return this == KMOD30;
    }

    /** Whether modprobe takes a name starting with "/" or "./" as a module file (kmod 31). */
    public boolean loadsModulesByPath() {
        return this == KMOD34;
    }

    /** Whether insmod quotes a parameter value holding a space, as modprobe does (kmod 34). */
    public boolean insmodQuotesParameters() {
        return this == KMOD34;
    }

    /**
     * Whether modinfo pads a key longer than 15 characters with |15 - length| spaces, as kmod
     * 30's printf with a negative width does; kmod 34 pads it with none.
     */
    public boolean padsLongModinfoKeys() {
        return this == KMOD30;
    }

    /**
     * The errno of a module file without the section asked for (modprobe --show-modversions
     * without __versions): kmod 30 says ENOENT, kmod 31 and later ENODATA.
     */
    public int missingSectionErrno() {
        return this == KMOD30 ? LinuxErrno.ENOENT : LinuxErrno.ENODATA;
    }

    /**
     * Whether libkmod's complaint about a compressed stream it cannot decode reaches the user
     * ("xz: File is corrupt"): kmod 34.2 logs it, Debian's kmod 30 shows nothing.
     */
    public boolean logsDecoderFailures() {
        return this == KMOD34;
    }

    /**
     * How a zstd module is decoded: kmod 30 streams it, kmod 31 and later decode it at once into
     * one buffer sized by the first frame header, refusing a file that gives no size there.
     */
    public ZstdReading zstdReading() {
        return this == KMOD30 ? ZstdReading.STREAM : ZstdReading.ONE_SHOT;
    }

    /**
     * How modinfo names a PKCS#7 signature's digest: kmod 30's own table (a digest outside it
     * shows no signature), or OpenSSL's names (kmod 32).
     */
    public DigestNames signatureDigestNames() {
        return this == KMOD30 ? DigestNames.KMOD_TABLE : DigestNames.OPENSSL;
    }

    /**
     * Whether a configuration file ending in a backslash gives its line the byte 0xFF (kmod
     * 30 stores getc's EOF) rather than nothing (kmod 34).
     */
    public boolean readsBackslashAtEndAsByte() {
        return this == KMOD30;
    }

    /**
     * What libkmod logs for a softdep naming a module it cannot look up: kmod 34 shares the
     * lookup (and its words) with weak dependencies.
     */
    public LibkmodMessage dependencyLookupFailure(String name) {
        return switch (this) {
            case KMOD30 -> LibkmodMessage.error("libkmod-module.c", 1567, "lookup_softdep",
                    "failed to lookup soft dependency '" + name + "', continuing anyway.");
            case KMOD34 -> LibkmodMessage.error("libkmod-module.c", 1232, "lookup_dep",
                    "failed to lookup dependency '" + name + "', continuing anyway.");
        };
    }

    /** Whether depmod makes its output directory when it is missing (kmod 34, for -o). */
    public boolean createsIndexDirectory() {
        return this == KMOD34;
    }

    /**
     * Whether a module named twice in modules.order keeps its first line's place (kmod 34);
     * kmod 30 lets the last line decide.
     */
    public boolean firstOrderLineWins() {
        return this == KMOD34;
    }
}
