package modtools.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
        if (e instanceof NoSuchFileException) {
            return ENOENT;
        }
        if (e instanceof AccessDeniedException) {
            return EACCES;
        }
        return EINVAL;
    }
}
