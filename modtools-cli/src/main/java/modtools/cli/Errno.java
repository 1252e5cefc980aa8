package modtools.cli;

import java.io.IOException;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.ElfFormatException;

/** The errno values modinfo reports, named, with glibc's words from {@link LinuxErrno}. */
public enum Errno {
    ENOENT(2),
    ENOEXEC(8),
    EACCES(13),
    EISDIR(21),
    EINVAL(22),
    ENOSYS(38);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    public String strerror() {
        return LinuxErrno.strerror(number);
    }

    /** What libkmod's ELF and file layers answer for the same damage. */
    public static Errno of(ElfFormatException e) {
        return e.isNotElf() ? ENOEXEC : EINVAL;
    }

    public static Errno of(IOException e) {
        int number = LinuxErrno.of(e);
        for (Errno known : values()) {
            if (known.number == number) {
                return known;
            }
        }
        return EINVAL;
    }
}
