package org.budayang.web.internal;

import java.io.IOException;
import java.util.List;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardFilterName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Tells the truth while the hall starts. Until Karaf has installed its boot features (the
 * catalogue and every department bundle in them have started), the API servlet is up and every
 * configured device had its first attempt to attach, {@code /api/v1/*} answers
 * {@code 503 {"error":"starting"}} with {@code Retry-After} instead of an empty module list or a
 * 404 for an item that is offered. {@code GET /api/v1/health} is answered here, so it works before
 * the API servlet exists: liveness and readiness per component, no personal data, 200 when ready
 * and 503 while not (what a load balancer reads).
 */
@Component(service = Filter.class)
@HttpWhiteboardFilterName("budayang-startup-gate")
@HttpWhiteboardFilterPattern("/api/*")
public final class StartupGate implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(StartupGate.class);
    /** Karaf registers this service once every boot feature is installed. */
    static final String BOOT_FINISHED = "org.apache.karaf.features.BootFinished";
    /** A device that never attaches does not keep the hall closed longer than this. */
    static final long DEVICES_WAIT_NANOS = 30_000_000_000L;

    private final BundleContext context;
    private final long started = System.nanoTime();
    private volatile boolean booted;
    private volatile boolean devicesSettled;
    private volatile boolean announced;
    private volatile Servlet api;
    private volatile DeviceRegistry devices;
    private volatile long devicesSince;

    @Activate
    public StartupGate(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(osgi.http.whiteboard.servlet.name=budayang-api)")
    void setApi(Servlet servlet) {
        api = servlet;
    }

    void unsetApi(Servlet servlet) {
        if (api == servlet) {
            api = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setDevices(DeviceRegistry registry) {
        devices = registry;
        devicesSince = System.nanoTime();
    }

    void unsetDevices(DeviceRegistry registry) {
        if (devices == registry) {
            devices = null;
        }
    }

    @Override
    public void init(FilterConfig config) {
        // Nothing to configure.
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest r = (HttpServletRequest) req;
        HttpServletResponse w = (HttpServletResponse) resp;
        String path = r.getRequestURI().substring(r.getContextPath().length());
        if (path.equals("/api/v1/health")) {
            health(r, w);
            return;
        }
        if (!ready()) {
            Json.error(w, 503, "starting", "the hall is starting; try again in a moment", null, 2);
            return;
        }
        chain.doFilter(req, resp);
    }

    private void health(HttpServletRequest r, HttpServletResponse w) throws IOException {
        if (!r.getMethod().equals("GET") && !r.getMethod().equals("HEAD")) {
            w.setHeader("Allow", "GET, HEAD");
            Json.error(w, 405, "method_not_allowed", r.getMethod() + " is not allowed on /api/v1/health", null);
            return;
        }
        boolean ready = ready();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("status", ready ? "up" : "starting");
        body.put("live", true);
        body.put("ready", ready);
        body.put("uptimeSeconds", (System.nanoTime() - started) / 1_000_000_000L);
        ObjectNode c = body.putObject("components");
        component(c, "boot", booted(), booted() ? "boot features installed" : "installing boot features");
        component(c, "api", api != null, api != null ? "serving" : "not registered");
        DeviceRegistry reg = devices;
        if (reg == null) {
            component(c, "devices", false, "device runtime not started");
        } else {
            List<DeviceInfo> all = reg.devices();
            long online = all.stream().filter(d -> d.state() != org.budayang.api.device.DeviceState.OFFLINE).count();
            ObjectNode d = component(c, "devices", devicesSettled(), devicesSettled() ? "first attach done" : "attaching");
            d.put("configured", all.size());
            d.put("online", online);
        }
        w.setHeader("Cache-Control", "no-store");
        Json.write(w, ready ? 200 : 503, body);
    }

    private static ObjectNode component(ObjectNode c, String name, boolean ready, String detail) {
        ObjectNode o = c.putObject(name);
        o.put("ready", ready);
        o.put("detail", detail);
        return o;
    }

    boolean ready() {
        boolean ready = booted() && api != null && devicesSettled();
        if (ready && !announced) {
            announced = true;
            LOG.info("The hall is ready: {} ms after the API gate started", (System.nanoTime() - started) / 1_000_000L);
        }
        return ready;
    }

    private boolean booted() {
        if (!booted) {
            // Looked up, not referenced: the web bundle need not import Karaf's features API for one marker.
            booted = context.getServiceReference(BOOT_FINISHED) != null;
        }
        return booted;
    }

    /** Every configured device had its first try (a failed try counts), or it waited long enough. */
    private boolean devicesSettled() {
        if (devicesSettled) {
            return true;
        }
        DeviceRegistry reg = devices;
        if (reg == null) {
            return false;
        }
        boolean settled = System.nanoTime() - devicesSince > DEVICES_WAIT_NANOS
                || reg.devices().stream().noneMatch(d -> "not attached yet".equals(d.problem())
                        || (d.port().startsWith("sim:") && "simulator host not installed".equals(d.problem())
                                && System.nanoTime() - devicesSince < 10_000_000_000L));
        devicesSettled = settled;
        return settled;
    }

    @Override
    public void destroy() {
        // Nothing held.
    }
}
