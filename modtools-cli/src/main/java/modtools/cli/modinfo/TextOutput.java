package modtools.cli.modinfo;

import java.util.List;
import modtools.elf.module.ModInfoEntry;

/** kmod's report; a failure prints nothing here (the command prints kmod's error line). */
final class TextOutput implements Output {
    private final ModinfoReport report;

    TextOutput(ModinfoReport report) {
        this.report = report;
    }

    @Override
    public boolean header(Target target, String filename) {
        return report.header(target, filename);
    }

    @Override
    public void entries(Target target, List<ModInfoEntry> entries) {
        report.entries(entries);
    }

    @Override
    public void failed(Target target, InfoUnavailable reason) {
    }

    @Override
    public void finish() {
    }
}
