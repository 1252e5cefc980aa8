package modtools.deps.depmod;

import java.util.List;
import modtools.elf.module.Export;
import modtools.elf.module.Import;
import modtools.elf.module.ModInfoEntry;

/** What depmod reads from one module file: its exports, its imports and its .modinfo. */
record ModuleFacts(List<Export> exports, List<Import> imports, List<ModInfoEntry> info) {
    static final ModuleFacts NONE = new ModuleFacts(List.of(), List.of(), List.of());
}
