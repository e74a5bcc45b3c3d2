package org.budayang.core.notify.internal.smpp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.budayang.api.notify.Sms;
import org.budayang.api.notify.SmsGateway;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The SMPP gateway against a real SMPP server on loopback. */
public class SmppGatewayTest {
    TestSmsc smsc;
    SmppGateway gateway;

    @Before
    public void start() throws Exception {
        smsc = new TestSmsc("budayang", "s3cret").start(0);
        gateway = gateway("s3cret");
    }

    @After
    public void stop() throws Exception {
        gateway.close();
        smsc.stop();
    }

    SmppGateway gateway(String password) {
        return new SmppGateway(new SmppGateway.Settings("127.0.0.1", smsc.port(), "budayang", password, "", "10690001",
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(30)));
    }

    @Test
    public void chineseTextArrivesInUcs2WithItsNumberAndReference() throws Exception {
        String id = gateway.send(new Sms("13812345678", "取件码 482913", "locker.pickup"), 7);
        assertEquals("00000001", id);
        assertEquals(List.of(new TestSmsc.Received("13812345678", "取件码 482913", 7, 8, 1)), smsc.received);
    }

    @Test
    public void aLongMessageArrivesAsOneConcatenatedMessage() throws Exception {
        String text = "【不打烊】您的材料已放入A01柜03格，取件码482913，请于3日内凭取件码或刷身份证取件。如非本人操作请致电12345。"
                + "本短信由政务服务自助区自动发送，请勿回复。";
        String ids = gateway.send(new Sms("13912345678", text, "locker.pickup"), 300);
        assertEquals("00000001,00000002", ids);
        assertEquals(2, smsc.submits.get());
        assertEquals(List.of(new TestSmsc.Received("13912345678", text, 300, 8, 2)), smsc.received);
    }

    @Test
    public void aDownSmscIsUnavailableAndTheGatewayRebindsWhenItIsBack() throws Exception {
        Sms sms = new Sms("13812345678", "第一条", "t");
        gateway.send(sms, 1);
        int port = smsc.port();
        smsc.stop();
        // The first send may still find the old session and fail on it; either way: Unavailable.
        assertThrows(SmsGateway.Unavailable.class, () -> gateway.send(new Sms("13812345678", "第二条", "t"), 2));
        SmsGateway.Unavailable down = assertThrows(SmsGateway.Unavailable.class,
                () -> gateway.send(new Sms("13812345678", "第二条", "t"), 2));
        assertTrue(down.getMessage(), down.getMessage().startsWith("cannot bind to the SMSC at 127.0.0.1:" + port));
        assertTrue("never the number: " + down.getMessage(), !down.getMessage().contains("13812345678"));

        smsc.start(port);
        gateway.send(new Sms("13812345678", "第二条", "t"), 2);
        assertEquals(List.of("第一条", "第二条"), smsc.received.stream().map(TestSmsc.Received::text).toList());
    }

    @Test
    public void aWrongPasswordIsUnavailable() {
        SmppGateway wrong = gateway("guess");
        try {
            SmsGateway.Unavailable e = assertThrows(SmsGateway.Unavailable.class,
                    () -> wrong.send(new Sms("13812345678", "x", "t"), 1));
            assertTrue(e.getMessage(), e.getMessage().startsWith("cannot bind"));
        } finally {
            wrong.close();
        }
        assertTrue(smsc.received.isEmpty());
    }

    @Test
    public void aRefusalByTheSmscIsUnavailableWithItsStatus() throws Exception {
        smsc.refuseWith = 0x58; // ESME_RTHROTTLED
        SmsGateway.Unavailable e = assertThrows(SmsGateway.Unavailable.class,
                () -> gateway.send(new Sms("13812345678", "x", "t"), 1));
        assertEquals("SMSC refused the message: command_status 0x00000058", e.getMessage());
        smsc.refuseWith = 0;
        gateway.send(new Sms("13812345678", "x", "t"), 1);
        assertEquals(1, smsc.received.size());
    }
}
