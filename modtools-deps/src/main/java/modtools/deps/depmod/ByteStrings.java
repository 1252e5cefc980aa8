package modtools.deps.depmod;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * depmod compares and prints paths and names as C strings. Here they are ISO-8859-1 text,
 * one char per byte, as in the rest of modtools-deps (String.compareTo then orders like
 * strcmp); the JDK names files in its native encoding, so names cross over here.
 */
final class ByteStrings {
    private static final Charset NATIVE = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    /** What the JDK appends to strerror(ELOOP) when it reports a symbolic link loop. */
    private static final String LOOP_SUFFIX = " or unable to access attributes of symbolic link";

    private ByteStrings() {}

    /** A file name from the JDK as the bytes the kernel handed out. */
    static String of(Path name) {
        String text = name.toString();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return new String(text.getBytes(NATIVE), StandardCharsets.ISO_8859_1);
            }
        }
        return text; // ASCII reads the same either way, and module trees are ASCII
    }

    /** The file named by a byte string. */
    static Path path(String bytes) {
        return Path.of(new String(bytes.getBytes(StandardCharsets.ISO_8859_1), NATIVE));
    }

    /** glibc's strerror() text for the errno behind a failed file operation (%m in kmod). */
    static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            String reason = f.getReason();
            return reason.endsWith(LOOP_SUFFIX) ? reason.substring(0, reason.length() - LOOP_SUFFIX.length()) : reason;
        }
        return e.getMessage();
    }
}
