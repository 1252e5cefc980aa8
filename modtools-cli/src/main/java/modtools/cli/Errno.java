package modtools.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import modtools.elf.ElfFormatException;

/** The errno values kmod's tools report, with glibc's strerror() words for them. */
public enum Errno {
    ENOENT("No such file or directory"),
    EACCES("Permission denied"),
    ENOEXEC("Exec format error"),
    EINVAL("Invalid argument"),
    EISDIR("Is a directory"),
    ENOSYS("Function not implemented");

    private final String message;

    Errno(String message) {
        this.message = message;
    }

    public String strerror() {
        return message;
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
