package modtools.deps.depmod;

/**
 * Where depmod sends kmod's log lines. kmod prints
 * them on stderr as {@code depmod: LABEL: message}, each level only when depmod's verbosity
 * (syslog's LOG_WARNING plus one per -v) reaches the level's priority: errors always, INFO
 * from -vv, DEBUG from -vvv.
 */
@FunctionalInterface
public interface LogSink {
    /** kmod's ERR, INF and DBG, with their syslog priorities and the labels kmod prints. */
    enum Level {
        ERROR(3, "ERROR"),
        WARNING(4, "WARNING"),
        INFO(6, "INFO"),
        DEBUG(7, "DEBUG");

        private final int priority;
        private final String label;

        Level(int priority, String label) {
            this.priority = priority;
            this.label = label;
        }

        public int priority() {
            return priority;
        }

        public String label() {
            return label;
        }
    }

    /** One message, without kmod's "depmod: LABEL: " prefix and without the newline. */
    void log(Level level, String message);
}
