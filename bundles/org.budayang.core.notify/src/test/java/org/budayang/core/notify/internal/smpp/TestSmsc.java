package org.budayang.core.notify.internal.smpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.InterfaceVersion;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.MessageId;

/**
 * A small SMSC on loopback (jSMPP's server side): accepts one system id and password, records
 * every submit_sm and joins concatenated parts back into the message the phone would show.
 * Shared with karaf-distro's NotifyIT through this bundle's test-jar (only the TestSmsc classes
 * go in it); NotifyIT runs it inside the container.
 */
public final class TestSmsc implements ServerMessageReceiverListener {
    public record Received(String destination, String text, int reference, int dataCoding, int parts) {
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger submits = new AtomicInteger();
    /** A command status to refuse every submit_sm with; 0 accepts. */
    public volatile int refuseWith;
    /** How long the answer to a submit_sm is held back after the message was taken (0: at once): a window to kill the sender in. */
    public volatile long answerDelayMs;
    private final Map<String, String[]> partial = new ConcurrentHashMap<>();
    private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
    private final String systemId;
    private final String password;
    private volatile SMPPServerSessionListener listener;
    private int port;

    public TestSmsc(String systemId, String password) {
        this.systemId = systemId;
        this.password = password;
    }

    public int port() {
        return port;
    }

    /** Listens on 127.0.0.1 at {@code port} (0: any free one; the same again after {@link #stop()}). */
    public TestSmsc start(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.port = socket.getLocalPort();
        ServerConnectionFactory loopback = new ServerConnectionFactory() {
            @Override
            public ServerConnection listen(int p) {
                return new ServerSocketConnection(socket);
            }

            @Override
            public ServerConnection listen(int p, int timeout) {
                return listen(p);
            }

            @Override
            public ServerConnection listen(int p, int timeout, int backlog) {
                return listen(p);
            }
        };
        SMPPServerSessionListener l = new SMPPServerSessionListener(this.port, loopback);
        l.setMessageReceiverListener(this);
        listener = l;
        Thread acceptor = new Thread(() -> accept(l), "test-smsc-" + this.port);
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    private void accept(SMPPServerSessionListener l) {
        while (true) {
            SMPPServerSession s;
            try {
                s = l.accept();
            } catch (IOException closed) {
                return;
            }
            sessions.add(s);
            try {
                BindRequest bind = s.waitForBind(5000);
                if (systemId.equals(bind.getSystemId()) && password.equals(bind.getPassword())) {
                    bind.accept("test-smsc", InterfaceVersion.IF_34);
                } else {
                    bind.reject(SMPPConstant.STAT_ESME_RINVPASWD);
                }
            } catch (Exception e) {
                s.close();
            }
        }
    }

    /** Goes away as an SMSC that crashed: listener and every session closed, no unbind. */
    public void stop() throws IOException {
        listener.close();
        for (SMPPServerSession s : sessions) {
            s.close();
        }
        sessions.clear();
    }

    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm sm, SMPPServerSession source) throws ProcessRequestException {
        int n = submits.incrementAndGet();
        if (refuseWith != 0) {
            throw new ProcessRequestException("refused by the test", refuseWith);
        }
        byte[] msg = sm.getShortMessage();
        int reference = userMessageReference(sm);
        if ((sm.getEsmClass() & 0x40) == 0) {
            received.add(new Received(sm.getDestAddress(), new String(msg, StandardCharsets.UTF_16BE), reference,
                    sm.getDataCoding(), 1));
        } else {
            int headerLength = msg[0] & 0xFF;
            int total = msg[4] & 0xFF;
            int seq = msg[5] & 0xFF;
            String key = sm.getDestAddress() + "/" + (msg[3] & 0xFF);
            String[] parts = partial.computeIfAbsent(key, k -> new String[total]);
            parts[seq - 1] = new String(msg, 1 + headerLength, msg.length - 1 - headerLength, StandardCharsets.UTF_16BE);
            if (java.util.Arrays.stream(parts).allMatch(java.util.Objects::nonNull)) {
                partial.remove(key);
                received.add(new Received(sm.getDestAddress(), String.join("", parts), reference, sm.getDataCoding(), total));
            }
        }
        if (answerDelayMs > 0) {
            try {
                Thread.sleep(answerDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            return new SubmitSmResult(new MessageId(String.format("%08X", n)), new OptionalParameter[0]);
        } catch (PDUStringException e) {
            throw new ProcessRequestException(e.getMessage(), SMPPConstant.STAT_ESME_RSYSERR);
        }
    }

    private static int userMessageReference(SubmitSm sm) {
        OptionalParameter p = sm.getOptionalParameter(OptionalParameter.Tag.USER_MESSAGE_REFERENCE);
        if (p == null) {
            return -1;
        }
        byte[] tlv = p.serialize(); // tag (2), length (2), value (2)
        return ((tlv[4] & 0xFF) << 8) | (tlv[5] & 0xFF);
    }

    private static ProcessRequestException unsupported() {
        return new ProcessRequestException("not supported by the test SMSC", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti m, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public QuerySmResult onAcceptQuerySm(QuerySm q, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public void onAcceptReplaceSm(ReplaceSm r, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public void onAcceptCancelSm(CancelSm c, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm b, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public void onAcceptCancelBroadcastSm(CancelBroadcastSm c, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm q, SMPPServerSession s) throws ProcessRequestException {
        throw unsupported();
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm d, Session s) throws ProcessRequestException {
        throw unsupported();
    }
}
