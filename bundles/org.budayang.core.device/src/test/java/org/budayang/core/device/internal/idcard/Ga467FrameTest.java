package org.budayang.core.device.internal.idcard;

import org.budayang.core.device.internal.Hex;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * Request encoding against hand-computed frames. In every request the length is 00 03: command (1)
 * + parameter (1) + checksum (1); the checksum is the XOR of 00, 03, command, parameter.
 */
public class Ga467FrameTest {

    @Test
    public void resetSam() {
        // 00^03 = 03; 03^10 = 13; 13^FF = EC
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 03  10 FF  EC"), Ga467Frame.request(Ga467Command.RESET_SAM));
    }

    @Test
    public void samStatus() {
        // 03^11 = 12; 12^FF = ED
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 03  11 FF  ED"), Ga467Frame.request(Ga467Command.SAM_STATUS));
    }

    @Test
    public void findCard() {
        // 03^20 = 23; 23^01 = 22
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 03  20 01  22"), Ga467Frame.request(Ga467Command.FIND_CARD));
    }

    @Test
    public void selectCard() {
        // 03^20 = 23; 23^02 = 21
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 03  20 02  21"), Ga467Frame.request(Ga467Command.SELECT_CARD));
    }

    @Test
    public void readBasicInfo() {
        // 03^30 = 33; 33^01 = 32
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 03  30 01  32"),
                Ga467Frame.request(Ga467Command.READ_BASIC_INFO));
    }

    @Test
    public void requestWithData() {
        // length = 2 head + 2 data + 1 checksum = 5; 00^05^20^01^12^34 = 05^21 = 24; 24^12 = 36; 36^34 = 02
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 05  20 01  12 34  02"),
                Ga467Frame.request(Ga467Command.FIND_CARD, Hex.bytes("12 34")));
    }

    @Test
    public void replyEncodingMatchesHandComputedNoCard() {
        // length = 3 SW + 0 data + 1 = 4; 00^04^00^00^80 = 84
        assertArrayEquals(Hex.bytes("AA AA AA 96 69  00 04  00 00 80  84"),
                new Ga467Frame(Hex.bytes("00 00 80"), new byte[0]).encode());
    }

    @Test
    public void statusClassification() {
        assertEquals(Ga467Status.Code.SUCCESS, Ga467Status.of((byte) 0, (byte) 0, (byte) 0x90).code());
        assertEquals(Ga467Status.Code.CARD_FOUND, Ga467Status.of((byte) 0, (byte) 0, (byte) 0x9F).code());
        assertEquals(Ga467Status.Code.NO_CARD, Ga467Status.of((byte) 0, (byte) 0, (byte) 0x80).code());
        Ga467Status other = Ga467Status.of((byte) 0, (byte) 0, (byte) 0x41);
        assertEquals(Ga467Status.Code.OTHER, other.code());
        assertArrayEquals(Hex.bytes("00 00 41"), other.raw());
        assertEquals(Ga467Status.Code.OTHER, Ga467Status.of((byte) 1, (byte) 0, (byte) 0x90).code());
        assertEquals("OTHER(00 00 41)", other.toString());
    }

    @Test(expected = IllegalStateException.class)
    public void statusOfRequestFrameIsRejected() {
        new Ga467Frame(Ga467Command.FIND_CARD.head(), new byte[0]).status();
    }

    @Test(expected = IllegalArgumentException.class)
    public void oversizedFrameIsRejected() {
        new Ga467Frame(Hex.bytes("00 00 90"), new byte[Ga467Frame.MAX_LENGTH - 3]); // length would be 4097
    }

    @Test
    public void framesAreValuesAndDefensivelyCopied() {
        byte[] data = Hex.bytes("01 02");
        Ga467Frame f = new Ga467Frame(Hex.bytes("00 00 90"), data);
        data[0] = 9;
        assertEquals(new Ga467Frame(Hex.bytes("00 00 90"), Hex.bytes("01 02")), f);
        f.data()[0] = 9;
        assertArrayEquals(Hex.bytes("01 02"), f.data());
        assertFalse(f.toString().contains("01 02"));
        assertTrue(f.toString().contains("00 00 90"));
    }
}
