package modtools.cli.modinfo;

import java.util.List;
import modtools.elf.module.ModInfoEntry;

/** Where modinfo's findings go: kmod's text report or one JSON object per module. */
sealed interface Output permits TextOutput, JsonOutput {
    /** Called before the module is read; false when nothing more is wanted of it. */
    boolean header(Target target, String filename);

    void entries(Target target, List<ModInfoEntry> entries);

    void failed(Target target, InfoUnavailable reason);

    void finish();
}
