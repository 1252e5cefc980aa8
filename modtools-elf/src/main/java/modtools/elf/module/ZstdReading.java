package modtools.elf.module;

/**
 * How the module reader decodes a zstd file, as one kmod release or the other does. kmod 30
 * streams the file through libzstd in chunks: a file without a content size is read, a cut one
 * gives what was decoded up to the cut, frames follow frames. kmod 31 and later ask the first
 * frame header for the content size, refuse the file without one, and decode the whole file at
 * once into a buffer of that size: a cut file, trailing bytes that are no frame, or a later
 * frame with content fail it. The caller's kmod level picks one.
 */
public enum ZstdReading {
    STREAM,
    ONE_SHOT
}
