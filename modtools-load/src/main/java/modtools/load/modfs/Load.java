package modtools.load.modfs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import modtools.link.LinkedImage;
import modtools.link.SymbolMap;
import modtools.load.info.ModuleInfo;

/** One load as its steps fill it in; what a step made is here for the undoing. */
final class Load {
    final List<Path> files;
    final List<Parameters.Arg> args;
    final boolean forceVermagic;
    /** How long to wait for the module's init before giving up (ETIME); empty: as long as it runs. */
    final Optional<Duration> initTimeout;

    ModuleObject object;
    InfoLock own;
    final List<InfoLock> providers = new ArrayList<>();
    SymbolMap symbols;
    List<String> dependencies;
    /** The module file's descriptor once created, -1 before. */
    int fd = -1;
    long address;
    LinkedImage image;
    byte[] bytes;
    List<ModuleInfo.Parameter> parameters;
    boolean loaded;

    Load(List<Path> files, List<Parameters.Arg> args, boolean forceVermagic, Optional<Duration> initTimeout) {
        this.files = List.copyOf(files);
        this.args = args;
        this.forceVermagic = forceVermagic;
        this.initTimeout = initTimeout;
    }

    String name() {
        return object.name();
    }
}
