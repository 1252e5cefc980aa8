package modtools.link;

/** A link that cannot be done; {@link #problem()} says which and where, the message is its one line. */
public final class LinkException extends Exception {
    private final LinkProblem problem;

    public LinkException(LinkProblem problem) {
        super(problem.message(), null, false, false);
        this.problem = problem;
    }

    public LinkProblem problem() {
        return problem;
    }
}
