package org.budayang.core.device.internal.escpos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.Receipt;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.core.device.internal.Hex;
import org.budayang.core.device.internal.ScriptedPort;
import org.junit.Test;

/** The ESC/POS driver against the printer's status bytes (README-8a-escpos.md). */
public class EscPosDriverTest {
    final ScriptedPort port = new ScriptedPort(Map.of("timeout.ms", "200"));

    ReceiptPrinter attached() throws DeviceException {
        port.on("10 04 01", "12").on("10 04 04", "12");
        new EscPosDriver().attach(port);
        return port.service("printer.receipt", ReceiptPrinter.class);
    }

    @Test
    public void attachAsksBothRealTimeStatuses() throws Exception {
        attached();
        assertEquals("10 04 01 10 04 04", Hex.str(port.written()));
    }

    @Test
    public void aReceiptIsStatusThenInitTitleLinesFeedCut() throws Exception {
        ReceiptPrinter printer = attached();
        port.clearWritten();
        printer.print(new Receipt("回执", List.of("A1"), null, null));
        // 回 = BB D8, 执 = D6 B4 in GB18030.
        assertEquals(Hex.str(Hex.bytes("10 04 01 10 04 04",
                "1B 40 1B 61 01 1B 45 01 BB D8 D6 B4 0A 1B 45 00 1B 61 00 41 31 0A 1B 64 03 1D 56 42 00")),
                Hex.str(port.written()));
    }

    @Test
    public void theQrCodeIsCentredAndTheFooterFollows() throws Exception {
        ReceiptPrinter printer = attached();
        port.clearWritten();
        printer.print(new Receipt(null, List.of(), "https://x/verify/ABC", "OK"));
        // 20 bytes of data: store length 23 = 17 00.
        assertEquals(Hex.str(Hex.bytes("10 04 01 10 04 04", "1B 40", "1B 61 01",
                "1D 28 6B 04 00 31 41 32 00", "1D 28 6B 03 00 31 43 06", "1D 28 6B 03 00 31 45 31",
                "1D 28 6B 17 00 31 50 30 68 74 74 70 73 3A 2F 2F 78 2F 76 65 72 69 66 79 2F 41 42 43",
                "1D 28 6B 03 00 31 51 30", "1B 61 00", "4F 4B 0A", "1B 64 03 1D 56 42 00")), Hex.str(port.written()));
    }

    @Test
    public void paperOutRefusesAndPrintsNothing() throws Exception {
        ReceiptPrinter printer = attached();
        port.clearWritten();
        port.on("10 04 01", "1A").on("10 04 04", "72");
        try {
            printer.print(new Receipt("回执", List.of(), null, null));
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.REFUSED, e.reason());
            assertEquals("paper out", e.getMessage());
        }
        assertEquals(List.of("paper out"), port.failures);
        assertEquals("10 04 01 10 04 04", Hex.str(port.written()));
    }

    @Test
    public void paperNearEndStillPrints() throws Exception {
        ReceiptPrinter printer = attached();
        port.on("10 04 04", "1E");
        printer.print(new Receipt("回执", List.of(), null, null));
        assertEquals(List.of(), port.failures);
    }

    @Test
    public void aByteThatIsNoStatusIsABadReply() throws Exception {
        ReceiptPrinter printer = attached();
        port.on("10 04 01", "00");
        try {
            printer.print(new Receipt("x", List.of(), null, null));
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
            assertEquals("printer status (DLE EOT 1): 00 is not a status byte (bits 1 and 4 set, 0 and 7 clear)",
                    e.getMessage());
        }
    }

    @Test
    public void aPrinterWithoutPaperIsNotAttached() {
        port.on("10 04 01", "1A").on("10 04 04", "72");
        try {
            new EscPosDriver().attach(port);
            fail();
        } catch (DeviceException e) {
            assertEquals("paper out", e.getMessage());
        }
    }
}
