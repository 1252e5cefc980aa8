package modtools.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The bounds checks every ELF read relies on. */
class ByteViewTest {
    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b', 0, 'c', 'd'};

    private static ByteView view(ByteOrder order) {
        return ByteView.of("t.ko", ByteBuffer.wrap(BYTES.clone()), order);
    }

    private static void rejected(Executable read) {
        ElfFormatException e = assertThrows(ElfFormatException.class, read);
        assertEquals("t.ko", e.file());
        assertEquals("what", e.structure());
    }

    @Test
    void negativeOffsetsAndLengthsAreRejected() {
        ByteView v = view(ByteOrder.LITTLE_ENDIAN);
        for (long offset : new long[] {-1, -8, Long.MIN_VALUE}) {
            rejected(() -> v.u8(offset, "what"));
            rejected(() -> v.u16(offset, "what"));
            rejected(() -> v.u32(offset, "what"));
            rejected(() -> v.s32(offset, "what"));
            rejected(() -> v.u64(offset, "what"));
            rejected(() -> v.slice(offset, 1, "what"));
            rejected(() -> v.bytes(offset, 1, "what"));
            rejected(() -> v.string(offset, 1, "what"));
            rejected(() -> v.cstring(offset, "what"));
            assertFalse(v.contains(offset, 1));
            assertEquals(-1, v.cstringLength(offset));
        }
        rejected(() -> v.slice(0, -1, "what"));
        rejected(() -> v.bytes(0, -1, "what"));
        rejected(() -> v.string(0, -1, "what"));
        assertFalse(v.contains(0, -1));
    }

    @Test
    void offsetPlusLengthOverflowIsRejected() {
        ByteView v = view(ByteOrder.LITTLE_ENDIAN);
        rejected(() -> v.slice(Long.MAX_VALUE, 2, "what"));
        rejected(() -> v.slice(2, Long.MAX_VALUE, "what"));
        rejected(() -> v.slice(Long.MAX_VALUE, Long.MAX_VALUE, "what"));
        rejected(() -> v.slice(BYTES.length, 1, "what"));
        rejected(() -> v.u64(Long.MAX_VALUE - 3, "what"));
        rejected(() -> v.bytes(4, Integer.MAX_VALUE, "what"));
        rejected(() -> v.string(Integer.MAX_VALUE, Integer.MAX_VALUE, "what"));
        assertFalse(v.contains(Long.MAX_VALUE, 1));
        assertFalse(v.contains(1, Long.MAX_VALUE));
        assertFalse(v.contains(Long.MAX_VALUE, Long.MAX_VALUE));
        // a slice of a slice may not reach past its own end into the parent's bytes
        ByteView inner = assertDoesNotFail(() -> v.slice(4, 4, "what"));
        rejected(() -> inner.slice(2, Long.MAX_VALUE - 1, "what"));
        rejected(() -> inner.u32(1, "what"));
    }

    @Test
    void readsEndExactlyAtTheEnd() throws ElfFormatException {
        ByteView v = view(ByteOrder.LITTLE_ENDIAN);
        long n = BYTES.length;
        assertEquals('d', v.u8(n - 1, "what"));
        rejected(() -> v.u8(n, "what"));
        v.u16(n - 2, "what");
        rejected(() -> v.u16(n - 1, "what"));
        v.u32(n - 4, "what");
        rejected(() -> v.u32(n - 3, "what"));
        v.u64(n - 8, "what");
        rejected(() -> v.u64(n - 7, "what"));
        assertEquals(0, v.slice(n, 0, "what").size());
        rejected(() -> v.slice(n + 1, 0, "what"));
        assertTrue(v.contains(n, 0));
        assertFalse(v.contains(n + 1, 0));
        assertArrayEquals(new byte[0], v.bytes(n, 0, "what"));
    }

    @Test
    void cstringNeedsATerminatorInsideTheView() throws ElfFormatException {
        ByteView v = view(ByteOrder.LITTLE_ENDIAN);
        assertEquals("ab", v.cstring(8, "what"));
        assertEquals("", v.cstring(10, "what"));
        assertEquals(2, v.cstringLength(8));
        // "cd" runs to the end of the view
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> v.cstring(11, "what"));
        assertEquals(11, e.offset());
        assertEquals(-1, v.cstringLength(11));
        rejected(() -> v.cstring(BYTES.length, "what"));
        rejected(() -> v.cstring(BYTES.length + 1L, "what"));
        // the NUL at 10 lies outside a slice of [8, 10): the slice's strings are unterminated
        ByteView ab = v.slice(8, 2, "what");
        rejected(() -> ab.cstring(0, "what"));
        assertEquals(-1, ab.cstringLength(0));
        // a string table must end in NUL
        rejected(() -> ab.requireTerminated("what"));
        v.slice(8, 3, "what").requireTerminated("what");
        v.slice(8, 0, "what").requireTerminated("what");
    }

    @Test
    void byteOrderAndSignedness() throws ElfFormatException {
        ByteView le = view(ByteOrder.LITTLE_ENDIAN);
        ByteView be = view(ByteOrder.BIG_ENDIAN);
        assertEquals(0x0201, le.u16(0, "what"));
        assertEquals(0x0102, be.u16(0, "what"));
        assertEquals(0x04030201L, le.u32(0, "what"));
        assertEquals(0x0807060504030201L, le.u64(0, "what"));
        assertEquals(0x0102030405060708L, be.u64(0, "what"));
        assertEquals(0x01020304L, le.withOrder(ByteOrder.BIG_ENDIAN).u32(0, "what"));
        assertEquals(0x0102030405060708L, be.word(0, true, "what"));
        assertEquals(0x01020304L, be.word(0, false, "what"));

        ByteView ff = ByteView.of("t.ko", ByteBuffer.wrap(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}), ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xffffffffL, ff.u32(0, "what"));
        assertEquals(-1, ff.s32(0, "what"));
        assertEquals(0xffff, ff.u16(0, "what"));
        assertEquals(0xff, ff.u8(0, "what"));
        assertEquals(-1L, ff.sword(0, false, "what"));
        assertEquals(0xffffffffL, ff.word(0, false, "what"));
    }

    @Test
    void aViewStartsAtTheBufferPositionAndEndsAtItsLimit() throws ElfFormatException {
        byte[] backing = {9, 9, 9, 'x', 'y', 0, 7, 9, 9};
        ByteBuffer b = ByteBuffer.wrap(backing, 3, 4); // position 3, limit 7
        ByteView v = ByteView.of("t.ko", b, ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, v.size());
        assertEquals("xy", v.cstring(0, "what"));
        assertEquals(7, v.u8(3, "what"));
        rejected(() -> v.u8(4, "what"));
        rejected(() -> v.u8(-1, "what"));
        // the caller's buffer is left as it was
        assertEquals(3, b.position());
        assertEquals(7, b.limit());

        ByteView tail = v.slice(1, 3, "what");
        assertEquals('y', tail.u8(0, "what"));
        assertEquals(7, tail.u8(2, "what"));
        rejected(() -> tail.u8(3, "what"));
        assertEquals(List.of((byte) 'y', (byte) 0, (byte) 7), asList(tail.asBuffer()));
    }

    @Test
    void asBufferIsAReadOnlyWindowWithItsOrder() throws ElfFormatException {
        ByteView v = view(ByteOrder.BIG_ENDIAN).slice(2, 4, "what");
        ByteBuffer b = v.asBuffer();
        assertEquals(4, b.remaining());
        assertEquals(ByteOrder.BIG_ENDIAN, b.order());
        assertEquals(0x03040506, b.getInt(0));
        assertTrue(b.isReadOnly());
        assertThrows(ReadOnlyBufferException.class, () -> b.put(0, (byte) 0));
    }

    @Test
    void failuresNameFileStructureAndOffset() {
        ByteView v = view(ByteOrder.LITTLE_ENDIAN);
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> v.u32(12, "section header 3"));
        assertEquals("t.ko", e.file());
        assertEquals("section header 3", e.structure());
        assertEquals(12, e.offset());
        assertTrue(e.getMessage().startsWith("t.ko: section header 3 at offset 0xc: "), e.getMessage());
    }

    private static List<Byte> asList(ByteBuffer b) {
        List<Byte> out = new java.util.ArrayList<>();
        while (b.hasRemaining()) {
            out.add(b.get());
        }
        return out;
    }

    private interface Read<T> {
        T get() throws ElfFormatException;
    }

    private static <T> T assertDoesNotFail(Read<T> read) {
        try {
            return read.get();
        } catch (ElfFormatException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
