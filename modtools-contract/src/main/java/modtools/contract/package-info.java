/**
 * The modfs contract, written once (docs/modfs.md): the files of a mount, the states of a module
 * file and its status, the control verbs, the image header and where a modfs is mounted. The
 * filesystem and its host answer in these words, the linker writes the header, the loader reads
 * and writes all of them; nothing here depends on any of them.
 */
package modtools.contract;
