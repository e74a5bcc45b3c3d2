package org.budayang.sim.internal;

import static org.budayang.sim.internal.Wire.send;
import static org.budayang.sim.internal.Wire.trickle;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

/** The receipt printer: what ends up on paper, and the real-time status bytes. */
public class EscPosDeviceTest {
    /**
     * A case receipt as a driver would send it, in hex by hand:
     * ESC @; ESC a 1; ESC E 1; 受理回执 (GB18030 CA DC C0 ED BB D8 D6 B4) LF; ESC E 0; ESC a 0;
     * 办件号 (B0 EC BC FE BA C5) ": TAX-1" LF; QR model 2, size 6, correction M, store
     * "https://x/v/ABC" (15 bytes: pL = 15 + 3 = 0x12), print; ESC d 3; GS V 66 0 (feed and cut).
     */
    static final String RECEIPT = "1B 40 1B 61 01 1B 45 01 CA DC C0 ED BB D8 D6 B4 0A 1B 45 00 1B 61 00"
            + " B0 EC BC FE BA C5 3A 20 54 41 58 2D 31 0A"
            + " 1D 28 6B 04 00 31 41 32 00"
            + " 1D 28 6B 03 00 31 43 06"
            + " 1D 28 6B 03 00 31 45 31"
            + " 1D 28 6B 12 00 31 50 30 68 74 74 70 73 3A 2F 2F 78 2F 76 2F 41 42 43"
            + " 1D 28 6B 03 00 31 51 30"
            + " 1B 64 03 1D 56 42 00";

    final Wire wire = new Wire();
    final EscPosDevice printer = new EscPosDevice(wire);

    @After
    public void close() {
        printer.close();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> printed() {
        return (List<Map<String, Object>>) printer.state().get("printed");
    }

    @Test
    public void aReceiptAsTheCitizenSeesIt() {
        send(printer, RECEIPT);
        List<Map<String, Object>> printed = printed();
        assertEquals(1, printed.size());
        Map<String, Object> r = printed.get(0);
        assertEquals(List.of("受理回执", "办件号: TAX-1"), r.get("lines"));
        assertEquals(List.of("center bold", "left"), r.get("styles"));
        assertEquals(List.of("https://x/v/ABC"), r.get("qr"));
        assertEquals("受理回执\n办件号: TAX-1\n[QR] https://x/v/ABC\n", r.get("text"));
        assertEquals(6, printer.state().get("qrSize"));
        assertEquals("M", printer.state().get("qrCorrection"));
    }

    @Test
    public void theSmallestReceipt() {
        // 回执 (BB D8 D6 B4) as the title, one line "A1", feed 3, cut.
        send(printer, "1B 40 1B 61 01 1B 45 01 BB D8 D6 B4 0A 1B 45 00 1B 61 00 41 31 0A 1B 64 03 1D 56 42 00");
        assertEquals("回执\nA1\n", printed().get(0).get("text"));
        assertEquals(List.of(), printed().get(0).get("qr"));
    }

    @Test
    public void byteByByteGivesTheSameReceipt() {
        trickle(printer, RECEIPT);
        assertEquals("受理回执\n办件号: TAX-1\n[QR] https://x/v/ABC\n", printed().get(0).get("text"));
    }

    @Test
    public void eachCutEndsAReceipt() {
        // "A" LF, partial cut GS V 1; "B" (no LF: printed by the cut) GS V 0; an empty cut GS V 48.
        send(printer, "41 0A 1D 56 01 42 1D 56 00 1D 56 30");
        List<Map<String, Object>> printed = printed();
        assertEquals(2, printed.size());
        assertEquals(List.of("A"), printed.get(0).get("lines"));
        assertEquals(List.of("B"), printed.get(1).get("lines"));
        assertEquals(2L, printer.state().get("receipts"));
        printer.script("printed=clear");
        assertEquals(List.of(), printed());
    }

    @Test
    public void blankLinesInsideStayMarginsGoAndInitDropsUnprintedText() {
        // LF LF "A" LF, ESC d 2, "B" LF, "x" (dropped by ESC @), cut.
        send(printer, "0A 0A 41 0A 1B 64 02 42 0A 78 1B 40 1D 56 00");
        assertEquals(List.of("A", "", "", "B"), printed().get(0).get("lines"));
    }

    @Test
    public void statusBytes() throws Exception {
        send(printer, "10 04 01");
        wire.expect("12"); // bits 1 and 4 fixed on: online
        send(printer, "10 04 02");
        wire.expect("12");
        send(printer, "10 04 03");
        wire.expect("12");
        send(printer, "10 04 04");
        wire.expect("12"); // paper present
        printer.script("paper=low");
        send(printer, "10 04 04");
        wire.expect("1E"); // + bits 2, 3: near end
        printer.script("paper=out");
        send(printer, "10 04 01");
        wire.expect("1A"); // + bit 3: offline
        send(printer, "10 04 02");
        wire.expect("32"); // + bit 5: stopped by paper end
        send(printer, "10 04 04");
        wire.expect("72"); // + bits 5, 6: paper end
        send(printer, "10 04 07");
        wire.silentFor(200); // no such status
    }

    @Test
    public void statusRequestsSplitAcrossChunksAndBetweenText() throws Exception {
        send(printer, "41 10", "04", "04 42 0A 1D 56 00");
        wire.expect("12");
        assertEquals(List.of("AB"), printed().get(0).get("lines"));
    }

    @Test
    public void outOfPaperNothingIsPrinted() throws Exception {
        printer.script("paper=out");
        send(printer, RECEIPT);
        send(printer, "10 04 04");
        wire.expect("72");
        assertEquals(List.of(), printed());
        printer.script("paper=ok");
        send(printer, RECEIPT);
        assertEquals(1, printed().size());
    }

    @Test
    public void corruptInvertsTheStatusByte() throws Exception {
        printer.script("reply=corrupt");
        send(printer, "10 04 01");
        wire.expect("ED");
        printer.script("reply=none");
        send(printer, "10 04 01");
        wire.silentFor(200);
    }

    @Test
    public void commandsItDoesNotPrintAreSkippedByTheirLength() {
        // ESC t 0 (code table), FS & (Chinese mode), GS ! 0x11 (double size), ESC 2, then "OK";
        // an unknown ESC z is listed and skipped by its two bytes.
        send(printer, "1B 74 00 1C 26 1D 21 11 1B 32 4F 4B 1B 7A 0A 1D 56 00");
        assertEquals(List.of("OK"), printed().get(0).get("lines"));
        assertEquals(List.of("1B 7A"), printer.state().get("unknown"));
    }

    @Test
    public void badBehaviours() {
        assertThrows(IllegalArgumentException.class, () -> printer.script("paper=wet"));
        assertThrows(IllegalArgumentException.class, () -> printer.script("printed=all"));
    }
}
