package modtools.modfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** This process's mappings from /proc/self/maps, to see what the host did to module memory. */
final class ProcMaps {
    private ProcMaps() {}

    /** The lines of mappings that overlap [start, end). */
    static List<String> between(long start, long end) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.split(" ")[0].split("-");
            if (Long.parseUnsignedLong(range[0], 16) < end && Long.parseUnsignedLong(range[1], 16) > start) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The permissions of each of the five test image pages at {@code base}, "gone" where unmapped. */
    static List<String> perms(List<String> maps, long base) {
        List<String> perms = new ArrayList<>();
        for (int page = 0; page < TestImage.SIZE / TestImage.PAGE; page++) {
            long at = base + (long) page * TestImage.PAGE;
            String found = "gone";
            for (String line : maps) {
                String[] range = line.split(" ")[0].split("-");
                if (Long.parseUnsignedLong(range[0], 16) <= at && at < Long.parseUnsignedLong(range[1], 16)) {
                    found = line.split(" ")[1];
                }
            }
            perms.add(found);
        }
        return perms;
    }
}
