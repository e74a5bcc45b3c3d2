package org.budayang.core.notify.internal.smpp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.budayang.api.notify.Sms;
import org.budayang.api.notify.SmsGateway;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataCoding;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.InterfaceVersion;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.connection.socket.SocketConnection;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMPP 3.4 through jSMPP: one transmitter session to the operator's SMSC, bound at start and
 * bound again on the next send after it broke. Every text goes out in UCS-2 (data_coding 8),
 * long ones as concatenated parts ({@link Ucs2Segments}); each submit_sm carries the outbox id
 * as {@code user_message_reference}. Anything that keeps a message from being accepted is
 * {@link SmsGateway.Unavailable}, so the outbox retries it.
 */
// Immediate: the session lives as long as the configuration, not as long as some sender holds
// the service (a delayed component would be disposed, and unbound, whenever the sender restarts).
@Component(configurationPid = "org.budayang.notify.smpp", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, property = SmsGateway.NAME + "=smpp")
@Designate(ocd = SmppConfig.class)
public final class SmppGateway implements SmsGateway {
    private static final Logger LOG = LoggerFactory.getLogger(SmppGateway.class);
    private static final DataCoding UCS2 = DataCodings.newInstance((byte) 0x08);

    /** The connection settings (from {@link SmppConfig}). */
    record Settings(String host, int port, String systemId, String password, String systemType, String sourceAddr,
            Duration bindTimeout, Duration responseTimeout, Duration enquireLink) {
        static Settings of(SmppConfig c) {
            return new Settings(c.host().trim(), c.port(), c.systemId(), c._password(), c.systemType(), c.sourceAddr(),
                    Duration.ofMillis(Math.max(100, c.bind_timeout_ms())), Duration.ofMillis(Math.max(100, c.response_timeout_ms())),
                    Duration.ofMillis(Math.max(1000, c.enquire_link_ms())));
        }
    }

    /** Guarded by this. */
    private Settings settings;
    private final ExecutorService binder;
    /** The bound session, or null; guarded by this. */
    private SMPPSession session;

    @Activate
    public SmppGateway(SmppConfig config) {
        this(Settings.of(config));
    }

    SmppGateway(Settings settings) {
        this.settings = settings;
        // Bind at once, so the first message does not wait and a wrong setting shows in the log now.
        this.binder = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "budayang-smpp-bind");
            t.setDaemon(true);
            return t;
        });
        bindSoon();
    }

    /**
     * Karaf writes a configuration made through ConfigAdmin back to etc/ and adds the file name
     * to it: only a change of the settings themselves drops the session.
     */
    @Modified
    void modified(SmppConfig config) {
        Settings next = Settings.of(config);
        synchronized (this) {
            if (next.equals(settings)) {
                return;
            }
            settings = next;
            drop(true);
        }
        LOG.info("SMPP gateway settings changed: binding to {} again", where());
        bindSoon();
    }

    private void bindSoon() {
        binder.execute(() -> {
            try {
                bound();
            } catch (Unavailable e) {
                LOG.warn("SMPP gateway not bound yet (will try again with the next message): {}", e.getMessage());
            }
        });
    }

    @Deactivate
    public void close() {
        binder.shutdownNow();
        synchronized (this) {
            drop(true);
        }
    }

    @Override
    public synchronized String send(Sms sms, long reference) throws Unavailable {
        List<byte[]> parts = Ucs2Segments.encode(sms.text(), (int) (reference & 0xFF));
        ESMClass esm = parts.size() == 1 ? new ESMClass()
                : new ESMClass(MessageMode.DEFAULT, MessageType.DEFAULT, GSMSpecificFeature.UDHI);
        OptionalParameter ref = new OptionalParameter.Short(OptionalParameter.Tag.USER_MESSAGE_REFERENCE, (short) reference);
        SMPPSession s = bound();
        List<String> ids = new ArrayList<>(parts.size());
        // A failure after the first part sends the whole message again on the next attempt; the
        // repeated parts carry the same concatenation reference, so phones merge them.
        for (byte[] part : parts) {
            try {
                ids.add(s.submitShortMessage(blankToNull(settings.systemType()), TypeOfNumber.UNKNOWN,
                        NumberingPlanIndicator.UNKNOWN, blankToNull(settings.sourceAddr()), TypeOfNumber.UNKNOWN,
                        NumberingPlanIndicator.ISDN, sms.phone(), esm, (byte) 0, (byte) 0, null, null,
                        new RegisteredDelivery(SMSCDeliveryReceipt.DEFAULT), (byte) 0, UCS2, (byte) 0, part, ref)
                        .getMessageId());
            } catch (NegativeResponseException e) {
                // The session is fine; the SMSC refused this message (throttled, bad address...).
                throw new Unavailable(String.format("SMSC refused the message: command_status 0x%08X", e.getCommandStatus()), e);
            } catch (ResponseTimeoutException e) {
                drop(false);
                throw new Unavailable("no submit_sm_resp within " + settings.responseTimeout().toMillis()
                        + " ms: outcome unknown, will send again", e);
            } catch (PDUException e) {
                // Its message may quote a field (the number): say only what kind of problem it was.
                throw new Unavailable("the message does not fit an SMPP PDU (" + e.getClass().getSimpleName() + ")", e);
            } catch (InvalidResponseException | IOException e) {
                drop(false);
                throw new Unavailable("SMPP session to " + where() + " broke: " + e.getMessage(), e);
            }
        }
        return String.join(",", ids);
    }

    /** The bound session, binding a new one if there is none or the last one broke. */
    private synchronized SMPPSession bound() throws Unavailable {
        if (session != null && session.getSessionState().isBound()) {
            return session;
        }
        drop(false);
        int connectTimeout = (int) settings.bindTimeout().toMillis();
        SMPPSession s = new SMPPSession((host, port) -> {
            // jSMPP's default factory has no connect timeout: a dead route would hang for minutes.
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(host, port), connectTimeout);
                return new SocketConnection(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        });
        s.setEnquireLinkTimer((int) settings.enquireLink().toMillis());
        s.setTransactionTimer(settings.responseTimeout().toMillis());
        try {
            s.connectAndBind(settings.host(), settings.port(), new BindParameter(BindType.BIND_TX, settings.systemId(),
                    settings.password(), settings.systemType(), TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null,
                    InterfaceVersion.IF_34), settings.bindTimeout().toMillis());
        } catch (IOException e) {
            s.close();
            throw new Unavailable("cannot bind to the SMSC at " + where() + ": " + e.getMessage(), e);
        }
        session = s;
        LOG.info("SMPP transmitter bound to {} as {}", where(), settings.systemId());
        return s;
    }

    private void drop(boolean unbind) {
        SMPPSession s = session;
        session = null;
        if (s == null) {
            return;
        }
        if (unbind && s.getSessionState().isBound()) {
            s.unbindAndClose();
        } else {
            s.close();
        }
    }

    private synchronized String where() {
        return settings.host() + ":" + settings.port();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
