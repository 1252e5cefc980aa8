package modtools.modfs.fuse;

/**
 * The result of one filesystem operation: a value, or the errno the system call fails with and
 * why, in words for the log (the caller of the system call only ever sees the number).
 */
public sealed interface Outcome<T> {
    record Done<T>(T value) implements Outcome<T> {}

    record Failed<T>(int errno, String why) implements Outcome<T> {
        /** The same failure as the result of an operation of another type. */
        public <U> Failed<U> cast() {
            return new Failed<>(errno, why);
        }
    }

    static <T> Outcome<T> done(T value) {
        return new Done<>(value);
    }

    static <T> Outcome<T> failed(int errno, String why) {
        return new Failed<>(errno, why);
    }
}
