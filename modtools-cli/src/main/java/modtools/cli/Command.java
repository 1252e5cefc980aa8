package modtools.cli;

/** A tool that runs to completion and returns its exit status. */
public interface Command {
    int run(Invocation invocation);
}
