package org.budayang.sim.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Map;

import org.junit.After;
import org.junit.Test;

public class QrScannerDeviceTest {
    final Wire wire = new Wire();
    QrScannerDevice scanner = new QrScannerDevice(wire);

    @After
    public void close() {
        scanner.close();
    }

    @Test
    public void eachScanIsTheTextAndALineEnd() throws Exception {
        scanner.script("scan=ABC123");
        wire.expect("41 42 43 31 32 33 0D 0A");
        scanner.script("suffix=lf");
        scanner.script("scan=A=B");
        wire.expect("41 3D 42 0A"); // the value is everything after the first '='
        scanner.script("suffix=cr");
        scanner.script("scan=码");
        wire.expect("E7 A0 81 0D"); // UTF-8 of U+7801
        assertEquals(3L, scanner.state().get("scans"));
    }

    @Test
    public void suffixAsAnOption() throws Exception {
        scanner.close();
        scanner = (QrScannerDevice) new Simulators.QrScanner().start(Map.of("suffix", "lf"), wire);
        scanner.script("scan=1");
        wire.expect("31 0A");
    }

    @Test
    public void corruptNoneGarbageAndDelay() throws Exception {
        scanner.script("reply=corrupt");
        scanner.script("scan=ABC123");
        wire.expect("BE BD BC CE CD CC 0D 0A"); // text inverted, line end kept
        scanner.script("reply=none");
        scanner.script("scan=ABC123");
        wire.silentFor(200);
        scanner.script("reply=garbage");
        scanner.script("scan=ABC123");
        assertEquals(8, wire.next().length);
        scanner.script("reply=normal");
        scanner.script("delay=300");
        scanner.script("scan=1");
        wire.silentFor(200);
        wire.expect("31 0D 0A");
    }

    @Test
    public void whatTheHostSendsIsIgnored() throws Exception {
        scanner.received(new byte[] { 0x16, 0x54, 0x0D });
        wire.silentFor(100);
        assertThrows(IllegalArgumentException.class, () -> scanner.script("suffix=tab"));
    }
}
