package org.budayang.core.device.internal.idcard;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.budayang.api.device.DeviceException;
import org.budayang.api.device.IdCard;
import org.budayang.api.device.IdCardReader;
import org.budayang.core.device.internal.Hex;
import org.budayang.core.device.internal.ScriptedPort;
import org.junit.Test;

/** The GA 467 driver against hand-written replies (README-ga467.md), through a real channel. */
public class Ga467DriverTest {
    static final String RESET = "AA AA AA 96 69 00 03 10 FF EC";
    static final String STATUS = "AA AA AA 96 69 00 03 11 FF ED";
    static final String FIND = "AA AA AA 96 69 00 03 20 01 22";
    static final String SELECT = "AA AA AA 96 69 00 03 20 02 21";
    static final String READ = "AA AA AA 96 69 00 03 30 01 32";
    static final String OK = "AA AA AA 96 69 00 04 00 00 90 94";
    static final String NO_CARD = "AA AA AA 96 69 00 04 00 00 80 84";
    static final String FOUND = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97";
    static final String SELECTED = "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C";

    final ScriptedPort port = new ScriptedPort(Map.of("poll.ms", "50", "timeout.ms", "200"));

    IdCardReader attached() throws DeviceException {
        port.on(RESET, OK).on(STATUS, OK);
        new Ga467Driver().attach(port);
        return port.service("idcard", IdCardReader.class);
    }

    @Test
    public void attachResetsTheSamAndAsksItsStatus() throws Exception {
        attached();
        assertEquals(Hex.str(Hex.bytes(RESET, STATUS)), Hex.str(port.written()));
        assertEquals(List.of("reset SAM: SUCCESS(00 00 90)", "SAM status: SUCCESS(00 00 90)"), port.oks);
    }

    @Test
    public void aReaderThatDoesNotAnswerIsNotAttached() {
        try {
            new Ga467Driver().attach(port);
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.TIMEOUT, e.reason());
            assertEquals(List.of("reset SAM: no complete reply within 200 ms"), port.failures);
        }
        assertTrue(port.published.isEmpty());
    }

    @Test
    public void readingWaitsForACardThenSelectsAndReadsIt() throws Exception {
        IdCardReader reader = attached();
        port.clearWritten();
        port.onEach(FIND, NO_CARD, NO_CARD, FOUND).on(SELECT, SELECTED).on(READ, BasicInfoFixture.frame());
        IdCard card = reader.read(Duration.ofSeconds(5)).orElseThrow();
        assertEquals("张三", card.name());
        assertEquals("男", card.sex());
        assertEquals("汉", card.ethnicity());
        assertEquals(LocalDate.of(1988, 8, 8), card.birthDate());
        assertEquals("广东省深圳市南山区科技园路1号", card.address());
        assertEquals("440305198808081234", card.id().value());
        assertEquals("深圳市公安局南山分局", card.authority());
        assertEquals(LocalDate.of(2015, 1, 1), card.validFrom());
        assertEquals(LocalDate.of(2035, 1, 1), card.validTo());
        assertEquals(Hex.str(Hex.bytes(FIND, FIND, FIND, SELECT, READ)), Hex.str(port.written()));
        assertTrue("no card data in health reports: " + port.oks, port.oks.stream().noneMatch(s -> s.contains("1234")));
    }

    @Test
    public void noCardInTimeIsEmptyNotAFailure() throws Exception {
        IdCardReader reader = attached();
        port.on(FIND, NO_CARD);
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), reader.read(Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
        assertEquals(List.of(), port.failures);
    }

    @Test
    public void aCardTakenAwayBetweenStepsIsLookedForAgain() throws Exception {
        IdCardReader reader = attached();
        port.onEach(FIND, FOUND).onEach(SELECT, "AA AA AA 96 69 00 04 00 00 81 85", SELECTED)
                .on(READ, BasicInfoFixture.frame());
        assertEquals("张三", reader.read(Duration.ofSeconds(5)).orElseThrow().name());
    }

    @Test
    public void aBadChecksumIsABadReplyAndCounted() throws Exception {
        IdCardReader reader = attached();
        port.on(FIND, "AA AA AA 96 69 00 04 00 00 80 85");
        try {
            reader.read(Duration.ofMillis(300));
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
        }
        assertTrue(port.failures.size() >= 1);
        assertTrue(port.failures.get(0), port.failures.get(0).startsWith("find card: BadChecksum[expected=84, received=85"));
    }

    @Test
    public void oneCorruptBasicInfoReplyIsReadAgainWhileTheTimeAllows() throws Exception {
        IdCardReader reader = attached();
        byte[] good = BasicInfoFixture.frame();
        byte[] corrupt = good.clone();
        corrupt[corrupt.length - 1] ^= 0x01;
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        port.on(FIND, FOUND).on(SELECT, SELECTED);
        port.onReply(READ, req -> reads.getAndIncrement() == 0 ? corrupt : good);
        IdCard card = reader.read(Duration.ofSeconds(5)).orElseThrow();
        assertEquals("张三", card.name());
        assertEquals(2, reads.get());
        assertEquals(1, port.failures.size());
        assertTrue(port.failures.get(0), port.failures.get(0).startsWith("read basic info: BadChecksum"));
        // The good reply after it made the reader healthy again.
        assertTrue(port.oks.get(port.oks.size() - 1), port.oks.get(port.oks.size() - 1).startsWith("read basic info: SUCCESS"));
    }

    @Test
    public void aReaderThatKeepsFailingFailsOnlyWhenTheTimeIsUp() throws Exception {
        IdCardReader reader = attached();
        port.on(FIND, "AA AA AA 96 69 00 04 00 00 80 85");
        long t0 = System.nanoTime();
        try {
            reader.read(Duration.ofMillis(600));
            fail();
        } catch (DeviceException e) {
            assertEquals(DeviceException.Reason.BAD_REPLY, e.reason());
        }
        assertTrue("tried until the time was up", System.nanoTime() - t0 >= 500_000_000L);
        assertTrue("tried again: " + port.failures, port.failures.size() >= 3);
    }

    @Test
    public void theProbeAsksTheSamStatusAndNoiseBeforeAFrameIsSkipped() throws Exception {
        attached();
        port.clearWritten();
        port.on(STATUS, "00 FF AA " + OK);
        new Ga467Driver.Reader(port, Duration.ofMillis(200), Duration.ofMillis(500), 50).probe();
        assertEquals(Hex.str(Hex.bytes(STATUS)), Hex.str(port.written()));
        // 00^04^00^00^60 = 64: a well-formed reply saying the SAM is not ready.
        port.on(STATUS, "AA AA AA 96 69 00 04 00 00 60 64");
        try {
            new Ga467Driver.Reader(port, Duration.ofMillis(200), Duration.ofMillis(500), 50).probe();
            fail();
        } catch (DeviceException e) {
            assertEquals("SAM status answered OTHER(00 00 60)", e.getMessage());
        }
    }

    @Test
    public void badOptionsAreNamed() throws Exception {
        ScriptedPort p = new ScriptedPort(Map.of("poll.ms", "often"));
        try {
            new Ga467Driver().attach(p);
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("poll.ms 'often' must be a whole number from 10 to 10000", e.getMessage());
        }
    }
}
