package org.budayang.devicekit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.budayang.api.device.DeviceContext;
import org.budayang.api.device.SerialChannel;

/** Records what a driver tells the core: health reports and published capabilities. */
public final class FakeContext implements DeviceContext {
    public record Published(Class<?> type, Object service, String capability) {
    }

    public final List<String> ok = new ArrayList<>();
    public final List<String> failed = new ArrayList<>();
    public final List<Published> published = new ArrayList<>();
    private final SerialChannel channel;
    private final Map<String, String> options;

    public FakeContext(SerialChannel channel, Map<String, String> options) {
        this.channel = channel;
        this.options = options;
    }

    @Override
    public String deviceId() {
        return "test-device";
    }

    @Override
    public String terminal() {
        return "test-terminal";
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
        ok.add(reply);
    }

    @Override
    public synchronized void failed(String problem) {
        failed.add(problem);
    }

    @Override
    public synchronized <S> void publish(Class<S> type, S service, String capability) {
        published.add(new Published(type, service, capability));
    }
}
