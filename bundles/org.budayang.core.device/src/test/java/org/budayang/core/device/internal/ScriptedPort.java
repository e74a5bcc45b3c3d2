package org.budayang.core.device.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.SerialChannel;

/**
 * Test double of a device at the far end of a real {@link PortChannel}: each request the driver
 * writes is answered with hand-written reply bytes (looked up by the exact request), and every
 * byte written is kept for assertions. Also the {@link DeviceContext} a driver is attached with,
 * recording its ok/failed reports and publications.
 */
public final class ScriptedPort implements Wire, DeviceContext {
    public final PortChannel channel;
    private final Map<String, Function<byte[], byte[]>> replies = new HashMap<>();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    public final List<String> oks = new ArrayList<>();
    public final List<String> failures = new ArrayList<>();
    public final Map<String, Object> published = new HashMap<>();
    public final List<String> gone = new ArrayList<>();
    private final Map<String, String> options;
    private volatile boolean broken;

    public ScriptedPort(Map<String, String> options) {
        this.options = options;
        this.channel = new PortChannel("/dev/test", gone::add);
        channel.attach(this);
    }

    /** Answers this exact request (hex) with these bytes (hex); null: no answer. */
    public ScriptedPort on(String requestHex, String replyHex) {
        byte[] reply = replyHex == null ? null : Hex.bytes(replyHex);
        replies.put(Hex.str(Hex.bytes(requestHex)), req -> reply);
        return this;
    }

    /** Answers this request with each reply in turn; the last one is repeated. */
    public ScriptedPort onEach(String requestHex, String... replyHex) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        replies.put(Hex.str(Hex.bytes(requestHex)), req -> Hex.bytes(replyHex[Math.min(n.getAndIncrement(), replyHex.length - 1)]));
        return this;
    }

    /** Answers this request with whatever the function returns for it (null: no answer). */
    public ScriptedPort onReply(String requestHex, Function<byte[], byte[]> reply) {
        replies.put(Hex.str(Hex.bytes(requestHex)), reply);
        return this;
    }

    public ScriptedPort on(String requestHex, byte[] reply) {
        replies.put(Hex.str(Hex.bytes(requestHex)), req -> reply);
        return this;
    }

    /** The port stops working: writes fail from now on. */
    public void breakPort() {
        broken = true;
    }

    public synchronized byte[] written() {
        return written.toByteArray();
    }

    public synchronized void clearWritten() {
        written.reset();
    }

    /** Bytes from the device without a request (a scanner's scan). */
    public void deviceSends(byte[] bytes) {
        channel.received(bytes);
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        if (broken) {
            throw new IOException("Input/output error");
        }
        synchronized (this) {
            written.writeBytes(bytes);
        }
        Function<byte[], byte[]> r = replies.get(Hex.str(bytes));
        byte[] reply = r == null ? null : r.apply(bytes);
        if (reply != null) {
            channel.received(reply);
        }
    }

    @Override
    public void close() {
    }

    // ---- DeviceContext -------------------------------------------------------------------------

    @Override
    public String deviceId() {
        return "test-device";
    }

    @Override
    public String terminal() {
        return "t-1";
    }

    @Override
    public SerialChannel channel() {
        return channel;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public synchronized void ok(String reply) {
        oks.add(reply);
    }

    @Override
    public synchronized void failed(String problem) {
        failures.add(problem);
    }

    @Override
    public synchronized <S> void publish(Class<S> type, S service, String capability) {
        published.put(capability, service);
    }

    public <S> S service(String capability, Class<S> type) {
        return type.cast(Optional.ofNullable(published.get(capability)).orElseThrow());
    }
}
