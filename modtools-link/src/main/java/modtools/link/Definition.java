package modtools.link;

/**
 * One entry of a {@link SymbolMap}.
 *
 * @param function whether the symbol is code: only a function may be reached through a veneer
 */
public record Definition(String name, long address, boolean function, Provider provider) {
}
