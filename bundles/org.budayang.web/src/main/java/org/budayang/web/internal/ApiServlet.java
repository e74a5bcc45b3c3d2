package org.budayang.web.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.CaseException;
import org.budayang.api.cases.CaseService;
import org.budayang.api.cases.DraftService;
import org.budayang.api.cases.FormRejected;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceRegistry;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.api.docs.DocumentException;
import org.budayang.api.docs.DocumentService;
import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.hall.Hall;
import org.budayang.api.hall.HallException;
import org.budayang.api.hall.HallService;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.MenuService;
import org.budayang.api.hall.Registration;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.RedirectLogin;
import org.budayang.api.identity.LoginTicketService;
import org.budayang.api.identity.SessionService;
import org.budayang.api.locker.LockerException;
import org.budayang.api.locker.LockerService;
import org.budayang.api.module.ModuleAdmin;
import org.budayang.api.module.ModuleException;
import org.budayang.api.module.ModuleInfo;
import org.budayang.api.module.ModuleRegistry;
import org.budayang.api.module.ModuleState;
import org.budayang.api.notify.Outbox;
import org.budayang.api.security.AdminSetup;
import org.budayang.api.security.UserAdmin;
import org.budayang.core.store.tx.StoreBusyException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON API, {@code /api/v1/...}. Reads are open (terminals fetch menus before anyone logs
 * in); changes need a Karaf JAAS login with the right role.
 */
// public.base.url is the node's (etc/org.budayang.node.cfg), shared with the sealed documents; two PIDs
// leave no room for a metatype Designate (bnd allows one PID), the typed config still applies.
@Component(service = Servlet.class, configurationPid = { "org.budayang.web", "org.budayang.node" })
@HttpWhiteboardServletName("budayang-api")
@HttpWhiteboardServletPattern("/api/v1/*")
// Terminals long-poll their login tickets without holding a thread (LoginTicketApi).
@HttpWhiteboardServletAsyncSupported
public final class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    static final String HALL_ADMIN = "hall-admin";
    /** A department vendor's role: {@code vendor-<department>}. */
    static final String VENDOR_PREFIX = "vendor-";
    private static final Pattern DEPARTMENT = Pattern.compile("[a-z][a-z0-9-]{1,31}");

    private record CachedMenu(String etag, byte[] json) {
    }

    private final transient ModuleRegistry modules;
    private final transient Catalogue catalogue;
    private final transient ModuleAdmin moduleAdmin;
    private final transient HallService halls;
    private final transient MenuService menus;
    private final transient Authenticator auth;
    private final transient CitizenApi citizens;
    private final transient CasesApi cases;
    private final transient GuideApi guide;
    private final transient DraftsApi drafts;
    private final transient DocumentsApi documents;
    private final transient RedirectLoginApi redirectLogins;
    private final transient LoginTicketApi loginTickets;
    private final transient LockerApi lockers;
    private transient volatile LockerService lockerService;
    private final transient OutboxApi outbox;
    private final transient UsersApi users;
    private final transient DevicesApi devices;
    private final transient SetupApi setup = new SetupApi();
    private final transient ConcurrentHashMap<String, CachedMenu> menuJson = new ConcurrentHashMap<>();

    @Activate
    public ApiServlet(@Reference ModuleRegistry modules, @Reference Catalogue catalogue, @Reference ModuleAdmin moduleAdmin,
            @Reference HallService halls, @Reference MenuService menus, @Reference SessionService sessions,
            @Reference CaseService caseService, @Reference DocumentService documentService,
            @Reference DraftService draftService, @Reference LoginTicketService tickets, WebConfig config) {
        this.modules = modules;
        this.catalogue = catalogue;
        this.moduleAdmin = moduleAdmin;
        this.halls = halls;
        this.menus = menus;
        this.auth = new Authenticator(config.realm());
        this.citizens = new CitizenApi(halls, sessions);
        this.cases = new CasesApi(caseService, citizens, auth);
        this.guide = new GuideApi(catalogue, caseService, citizens);
        this.drafts = new DraftsApi(draftService, catalogue, citizens);
        this.documents = new DocumentsApi(documentService, citizens);
        this.redirectLogins = new RedirectLoginApi(halls, citizens);
        this.loginTickets = new LoginTicketApi(halls, citizens, tickets);
        this.lockers = new LockerApi(() -> lockerService, halls, caseService, citizens, auth);
        this.outbox = new OutboxApi(auth);
        this.users = new UsersApi(auth);
        this.devices = new DevicesApi(halls, auth, citizens, caseService, catalogue, config.public_base_url());
        if (!SetupApi.demo() && onlyThisMachine(config.public_base_url())) {
            LOG.warn("public.base.url is {}: the QR codes on receipts and sealed documents lead phones nowhere. Set the "
                    + "hall's public address in etc/org.budayang.node.cfg", config.public_base_url());
        }
    }

    /** An address only the machine itself can open (a phone scanning the QR code cannot). */
    static boolean onlyThisMachine(String base) {
        try {
            String host = java.net.URI.create(base.trim()).getHost();
            return host == null || host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** Devices come and go with their health and the device runtime itself is optional. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setDeviceRegistry(DeviceRegistry r) {
        devices.setRegistry(r);
    }

    void unsetDeviceRegistry(DeviceRegistry r) {
        devices.unsetRegistry(r);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addReceiptPrinter(ReceiptPrinter p, java.util.Map<String, Object> props) {
        devices.addPrinter(p, props);
    }

    void removeReceiptPrinter(ReceiptPrinter p) {
        devices.removePrinter(p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDeviceActions(DeviceActions a, java.util.Map<String, Object> props) {
        devices.addActions(a, props);
    }

    void removeDeviceActions(DeviceActions a) {
        devices.removeActions(a);
    }

    /** Optional: only a server without a hall admin needs it, once. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setAdminSetup(AdminSetup s) {
        setup.bind(s);
    }

    void unsetAdminSetup(AdminSetup s) {
        setup.unbind(s);
    }

    /** Optional: the API runs without core.notify (the outbox route then answers 503). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setOutbox(Outbox o) {
        outbox.bind(o);
    }

    void unsetOutbox(Outbox o) {
        outbox.unbind(o);
    }

    /** Optional: user administration needs core.security's user store. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setUserAdmin(UserAdmin u) {
        users.bind(u);
    }

    void unsetUserAdmin(UserAdmin u) {
        users.unbind(u);
    }

    /** Optional: the rest of the API runs while the locker service waits for what it needs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setLockerService(LockerService s) {
        lockerService = s;
    }

    void unsetLockerService(LockerService s) {
        if (lockerService == s) {
            lockerService = null;
        }
    }

    /** Dynamic: a login method's bundle or configuration may change without restarting the API. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRedirectLogin(RedirectLogin login) {
        redirectLogins.add(login);
    }

    void removeRedirectLogin(RedirectLogin login) {
        redirectLogins.remove(login);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            route(req, resp);
        } catch (ApiException e) {
            Json.error(resp, e.status, e.code, e.getMessage(), e.detail, e.retryAfter);
        } catch (FormRejected e) {
            Json.error(resp, 400, "invalid_form", e.getMessage(), GuideApi.fieldsJson(e.errors()));
        } catch (CaseException e) {
            ApiException a = CasesApi.map(e);
            Json.error(resp, a.status, a.code, a.getMessage(), null);
        } catch (DocumentException e) {
            ApiException a = DocumentsApi.map(e);
            Json.error(resp, a.status, a.code, a.getMessage(), null);
        } catch (LockerException e) {
            LockerApi.error(resp, e);
        } catch (HallException e) {
            int status = switch (e.kind()) {
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case INVALID -> 400;
            };
            Json.error(resp, status, e.kind().name().toLowerCase(), e.getMessage(), null);
        } catch (StoreBusyException e) {
            // Lock contention that outlasted the store's retries: nothing was written, try again.
            LOG.warn("Database busy on {} {}: {}", req.getMethod(), req.getRequestURI(), e.getMessage());
            Json.error(resp, 503, "busy", "the hall's database is busy with other requests and nothing was saved; "
                    + "try again in a moment", null, e.retryAfterSeconds());
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure on {} {}", req.getMethod(), req.getRequestURI(), e);
            Json.error(resp, 500, "internal", "the server failed to handle this request; the log has the details", null);
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String info = req.getPathInfo() == null ? "" : req.getPathInfo();
        List<String> p = new ArrayList<>(Arrays.asList(info.split("/")));
        p.removeIf(String::isEmpty);
        String m = req.getMethod();
        int n = p.size();
        String head = n == 0 ? "" : p.get(0);
        switch (head) {
            case "modules" -> {
                if (n == 1 && m.equals("GET")) {
                    listModules(resp);
                } else if (n == 1 && m.equals("POST")) {
                    uploadModule(req, resp);
                } else if (n == 2 && m.equals("GET")) {
                    Json.write(resp, 200, moduleJson(modules.module(p.get(1))
                            .orElseThrow(() -> ApiException.notFound("no module '" + p.get(1) + "'"))));
                } else if (n == 2 && m.equals("DELETE")) {
                    removeModule(req, resp, p.get(1));
                } else {
                    unsupported(n <= 2, m);
                }
            }
            case "halls" -> {
                if (n == 1 && m.equals("GET")) {
                    ArrayNode out = Json.MAPPER.createArrayNode();
                    halls.halls().forEach(h -> out.add(hallJson(h)));
                    Json.write(resp, 200, out);
                } else if (n == 1 && m.equals("POST")) {
                    createHall(req, resp);
                } else if (n == 2 && m.equals("GET")) {
                    Json.write(resp, 200, hallJson(hall(p.get(1))));
                } else if (n == 3 && p.get(2).equals("modules") && m.equals("GET")) {
                    hallModules(resp, hall(p.get(1)));
                } else if (n == 4 && p.get(2).equals("modules") && m.equals("PUT")) {
                    switchModule(req, resp, p.get(1), p.get(3));
                } else if (n == 3 && p.get(2).equals("terminals") && m.equals("GET")) {
                    ArrayNode out = Json.MAPPER.createArrayNode();
                    halls.terminals(hall(p.get(1)).id()).forEach(t -> out.add(terminalJson(t)));
                    Json.write(resp, 200, out);
                } else if (n == 3 && p.get(2).equals("terminals") && m.equals("POST")) {
                    registerTerminal(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("cabinets") && m.equals("GET")) {
                    lockers.hallCabinets(resp, p.get(1));
                } else {
                    unsupported(n <= 4 && (n < 3 || p.get(2).equals("modules") || p.get(2).equals("terminals")
                            || (n == 3 && p.get(2).equals("cabinets"))), m);
                }
            }
            case "terminals" -> {
                if (n == 2 && m.equals("GET")) {
                    Json.write(resp, 200, terminalJson(terminal(p.get(1))));
                } else if (n == 3 && p.get(2).equals("menu") && m.equals("GET")) {
                    menu(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("sessions") && m.equals("POST")) {
                    citizens.login(req, resp, p.get(1));
                } else if (n == 4 && p.get(2).equals("sessions") && m.equals("DELETE")) {
                    citizens.logout(req, resp, p.get(1), p.get(3));
                } else if (n == 4 && p.get(2).equals(RedirectLoginApi.OIDC) && p.get(3).equals("start") && m.equals("POST")) {
                    redirectLogins.start(req, resp, p.get(1), RedirectLoginApi.OIDC);
                } else if (n == 3 && p.get(2).equals("login-tickets") && m.equals("POST")) {
                    loginTickets.issue(req, resp, p.get(1));
                } else if (n == 4 && p.get(2).equals("login-tickets") && m.equals("GET")) {
                    loginTickets.poll(req, resp, p.get(1), p.get(3));
                } else if (n == 3 && p.get(2).equals("devices") && m.equals("GET")) {
                    devices.ofTerminal(req, resp, p.get(1));
                } else if (n == 6 && p.get(2).equals("devices") && p.get(4).equals("actions") && m.equals("POST")) {
                    devices.perform(req, resp, p.get(1), p.get(3), p.get(5));
                } else {
                    unsupported(n == 2 || (n == 3 && (p.get(2).equals("menu") || p.get(2).equals("sessions")
                            || p.get(2).equals("login-tickets") || p.get(2).equals("devices")))
                            || (n == 6 && p.get(2).equals("devices") && p.get(4).equals("actions"))
                            || (n == 4 && (p.get(2).equals("sessions") || p.get(2).equals("login-tickets")
                                    || (p.get(2).equals(RedirectLoginApi.OIDC) && p.get(3).equals("start")))), m);
                }
            }
            case "items" -> {
                if (n == 3 && p.get(2).equals("guide") && m.equals("GET")) {
                    guide.guide(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("form") && m.equals("GET")) {
                    guide.form(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("documents") && m.equals("POST")) {
                    documents.issue(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("blank-form") && m.equals("GET")) {
                    documents.blankForm(req, resp, p.get(1));
                } else {
                    unsupported(n == 3 && (p.get(2).equals("guide") || p.get(2).equals("form") || p.get(2).equals("documents")
                            || p.get(2).equals("blank-form")), m);
                }
            }
            case "cases" -> {
                if (n == 1 && m.equals("POST")) {
                    cases.submit(req, resp);
                } else if (n == 1 && m.equals("GET")) {
                    cases.list(req, resp);
                } else if (n == 2 && m.equals("GET")) {
                    cases.get(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("transitions") && m.equals("POST")) {
                    cases.advance(req, resp, p.get(1));
                } else if (n == 3 && p.get(2).equals("receipt") && m.equals("POST")) {
                    devices.printReceipt(req, resp, p.get(1));
                } else {
                    unsupported(n <= 2 || (n == 3 && (p.get(2).equals("transitions") || p.get(2).equals("receipt"))), m);
                }
            }
            case RedirectLoginApi.OIDC -> {
                if (n == 2 && p.get(1).equals("callback") && m.equals("GET")) {
                    redirectLogins.callback(req, resp, RedirectLoginApi.OIDC);
                } else {
                    unsupported(n == 2 && p.get(1).equals("callback"), m);
                }
            }
            case "drafts" -> {
                if (n == 1 && m.equals("POST")) {
                    drafts.create(req, resp);
                } else if (n == 2 && m.equals("GET")) {
                    drafts.get(req, resp, p.get(1));
                } else if (n == 2 && m.equals("PUT")) {
                    drafts.save(req, resp, p.get(1));
                } else {
                    unsupported(n <= 2, m);
                }
            }
            case "login-tickets" -> {
                if (n == 3 && p.get(2).equals("confirmation") && m.equals("POST")) {
                    loginTickets.confirm(req, resp, p.get(1));
                } else {
                    unsupported(n == 3 && p.get(2).equals("confirmation"), m);
                }
            }
            case "cabinets" -> lockers.route(req, resp, p, m);
            case "parcels" -> {
                if (n == 2 && m.equals("GET")) {
                    lockers.parcel(req, resp, p.get(1));
                } else {
                    unsupported(n == 2, m);
                }
            }
            case "devices" -> {
                if (n == 1 && m.equals("GET")) {
                    devices.all(req, resp);
                } else {
                    unsupported(n == 1, m);
                }
            }
            case "me" -> {
                if (n == 1 && m.equals("GET")) {
                    citizens.me(req, resp);
                } else {
                    unsupported(n == 1, m);
                }
            }
            case "admin" -> {
                if (n >= 2 && p.get(1).equals("users")) {
                    users.route(req, resp, p);
                } else {
                    outbox.route(req, resp, p);
                }
            }
            case "setup" -> setup.route(req, resp, p);
            case "platform" -> {
                if (n == 1 && m.equals("GET")) {
                    setup.platform(resp);
                } else {
                    unsupported(n == 1, m);
                }
            }
            default -> throw ApiException.notFound("no such resource: " + req.getRequestURI());
        }
    }

    private static void unsupported(boolean pathExists, String method) {
        if (pathExists) {
            throw new ApiException(405, "method_not_allowed", method + " is not supported here");
        }
        throw ApiException.notFound("no such resource");
    }

    // ---- modules ------------------------------------------------------------------------------

    private void listModules(HttpServletResponse resp) throws IOException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        modules.modules().forEach(i -> out.add(moduleJson(i)));
        Json.write(resp, 200, out);
    }

    private void uploadModule(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Authenticator.Caller caller = auth.authenticate(req);
        if (!caller.roles().contains(HALL_ADMIN) && caller.roles().stream().noneMatch(r -> r.startsWith(VENDOR_PREFIX))) {
            throw new ApiException(403, "forbidden", "user '" + caller.user() + "' lacks the role hall-admin or "
                    + VENDOR_PREFIX + "<department>");
        }
        // Refused before one byte is read when the client says how big it is.
        long declared = req.getContentLengthLong();
        if (declared > moduleAdmin.maxJarBytes()) {
            throw new ApiException(413, "too_large", "the jar is " + declared + " bytes, more than the "
                    + moduleAdmin.maxJarBytes() + " this server accepts (max.jar.bytes in etc/org.budayang.modules.cfg)");
        }
        ModuleInfo info;
        String[] denied = new String[1];
        try {
            info = moduleAdmin.install(req.getInputStream(), department -> {
                boolean ok = mayDeploy(caller, department);
                denied[0] = ok ? null : department;
                return ok;
            });
        } catch (ModuleException e) {
            throw switch (e.kind()) {
                case REFUSED -> new ApiException(422, "module_refused", e.getMessage(),
                        e.refused() == null ? null : moduleJson(e.refused()));
                case TOO_LARGE -> new ApiException(413, "too_large", e.getMessage());
                case FORBIDDEN -> new ApiException(403, "forbidden", "user '" + caller.user() + "' may not deploy department '"
                        + denied[0] + "': that needs the role " + VENDOR_PREFIX + denied[0] + " or hall-admin");
                case FAILED -> new ApiException(409, "conflict", e.getMessage());
                case INVALID -> new ApiException(400, "invalid_bundle", e.getMessage());
            };
        }
        LOG.info("Module {} {} uploaded by {}: {}", info.department(), info.version(), caller.user(), info.state());
        if (info.state() == ModuleState.REFUSED) {
            throw new ApiException(422, "module_refused", info.reason(), moduleJson(info));
        }
        Json.write(resp, 200, moduleJson(info));
    }

    /** A vendor ships their own department only ({@code vendor-<department>}); a hall admin any. */
    static boolean mayDeploy(Authenticator.Caller caller, String department) {
        return caller.roles().contains(HALL_ADMIN) || caller.roles().contains(VENDOR_PREFIX + department);
    }

    private void removeModule(HttpServletRequest req, HttpServletResponse resp, String department) throws IOException {
        Authenticator.Caller caller = auth.authenticate(req);
        if (!mayDeploy(caller, department)) {
            throw new ApiException(403, "forbidden", "user '" + caller.user() + "' may not remove department '"
                    + department + "': that needs the role " + VENDOR_PREFIX + department + " or hall-admin");
        }
        try {
            if (!moduleAdmin.remove(department)) {
                throw ApiException.notFound("no module '" + department + "'");
            }
        } catch (ModuleException e) {
            throw new ApiException(409, "conflict", e.getMessage());
        }
        LOG.info("Module {} removed by {}", department, caller.user());
        resp.setStatus(204);
    }

    static ObjectNode moduleJson(ModuleInfo i) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("department", i.department());
        o.put("bundle", i.bundle());
        o.put("version", i.version());
        if (i.bundleId() >= 0) {
            o.put("bundleId", i.bundleId());
        }
        o.put("state", i.state().name().toLowerCase());
        if (i.reason() != null) {
            o.put("reason", i.reason());
        }
        o.put("items", i.items());
        if (i.signer() != null) {
            o.put("signer", i.signer());
        }
        ArrayNode w = o.putArray("warnings");
        i.warnings().forEach(w::add);
        return o;
    }

    // ---- halls and terminals ------------------------------------------------------------------

    private Hall hall(String id) {
        return halls.hall(id).orElseThrow(() -> ApiException.notFound("no hall '" + id + "'"));
    }

    private Terminal terminal(String id) {
        return halls.terminal(id).orElseThrow(() -> ApiException.notFound("no terminal '" + id + "'"));
    }

    private void createHall(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        auth.require(req, HALL_ADMIN);
        ObjectNode body = Json.object(req.getInputStream(), Set.of("id", "name"));
        String id = Json.string(body, "id", "id");
        JsonNode name = Json.required(body, "name", "name");
        if (!name.isObject()) {
            throw ApiException.invalid("field 'name' must be an object with 'zh' and 'en'");
        }
        LocalizedText text = new LocalizedText(Json.string(name, "zh", "name.zh"), Json.string(name, "en", "name.en"));
        Hall hall = halls.createHall(id, text);
        resp.setHeader("Location", "/api/v1/halls/" + hall.id());
        Json.write(resp, 201, hallJson(hall));
    }

    private void hallModules(HttpServletResponse resp, Hall hall) throws IOException {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ModuleInfo i : modules.modules()) {
            if (i.state() != ModuleState.ACTIVE) {
                continue;
            }
            ObjectNode o = moduleJson(i);
            o.put("enabled", halls.isEnabled(hall.id(), i.department()));
            out.add(o);
        }
        Json.write(resp, 200, out);
    }

    private void switchModule(HttpServletRequest req, HttpServletResponse resp, String hallId, String department)
            throws IOException {
        Authenticator.Caller caller = auth.require(req, HALL_ADMIN);
        hall(hallId);
        if (!DEPARTMENT.matcher(department).matches() || modules.module(department).isEmpty()) {
            throw ApiException.notFound("no module '" + department + "'");
        }
        boolean enabled = Json.bool(Json.object(req.getInputStream(), Set.of("enabled")), "enabled");
        halls.setEnabled(hallId, department, enabled, caller.user());
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("hall", hallId);
        o.put("department", department);
        o.put("enabled", halls.isEnabled(hallId, department));
        Json.write(resp, 200, o);
    }

    private void registerTerminal(HttpServletRequest req, HttpServletResponse resp, String hallId) throws IOException {
        auth.require(req, HALL_ADMIN);
        hall(hallId);
        ObjectNode body = Json.object(req.getInputStream(), Set.of("id", "name", "capabilities"));
        String id = Json.string(body, "id", "id");
        String name = Json.string(body, "name", "name");
        Set<String> caps = body.has("capabilities") ? new LinkedHashSet<>(Json.strings(body, "capabilities")) : Set.of();
        Registration r = halls.register(hallId, id, name, caps);
        ObjectNode o = terminalJson(r.terminal());
        // The only time the token is shown: the terminal stores it and sends it on every call.
        o.put("token", r.token());
        resp.setHeader("Location", "/api/v1/terminals/" + id);
        Json.write(resp, 201, o);
    }

    static ObjectNode hallJson(Hall h) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", h.id());
        o.set("name", text(h.name()));
        return o;
    }

    static ObjectNode terminalJson(Terminal t) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", t.id());
        o.put("hall", t.hall());
        o.put("name", t.name());
        ArrayNode caps = o.putArray("capabilities");
        new TreeSet<>(t.capabilities()).forEach(caps::add);
        return o;
    }

    // ---- menu ---------------------------------------------------------------------------------

    private void menu(HttpServletRequest req, HttpServletResponse resp, String terminalId) throws IOException {
        Menu menu = menus.menu(terminalId).orElseThrow(() -> ApiException.notFound("no terminal '" + terminalId + "'"));
        String etag = '"' + menu.etag() + '"';
        resp.setHeader("ETag", etag);
        resp.setHeader("Cache-Control", "no-cache");
        if (matches(req.getHeader("If-None-Match"), etag)) {
            resp.setStatus(304);
            return;
        }
        CachedMenu cached = menuJson.get(terminalId);
        if (cached == null || !cached.etag().equals(etag)) {
            cached = new CachedMenu(etag, Json.MAPPER.writeValueAsBytes(menuJson(menu)));
            menuJson.put(terminalId, cached);
        }
        Json.write(resp, 200, cached.json());
    }

    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(etag) || c.equals("*")) {
                return true;
            }
        }
        return false;
    }

    static ObjectNode menuJson(Menu menu) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("terminal", menu.terminal());
        o.put("hall", menu.hall());
        ArrayNode depts = o.putArray("departments");
        for (Menu.Section s : menu.departments()) {
            Department d = s.department();
            ObjectNode dn = depts.addObject();
            dn.put("code", d.code());
            dn.set("name", text(d.name()));
            ArrayNode items = dn.putArray("items");
            for (Item i : s.items()) {
                ObjectNode in = items.addObject();
                in.put("code", i.code());
                in.set("name", text(i.name()));
                in.put("kind", i.kind().name().toLowerCase());
                ArrayNode req = in.putArray("requires");
                new TreeSet<>(i.requires()).forEach(req::add);
                in.put("paper", i.materials().stream().anyMatch(mat -> mat.paper()));
            }
        }
        return o;
    }

    static ObjectNode text(LocalizedText t) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("zh", t.zh());
        o.put("en", t.en());
        return o;
    }
}
