package org.budayang.web.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.CaseRecord;
import org.budayang.api.cases.CaseService;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.Item;
import org.budayang.api.device.Capabilities;
import org.budayang.api.device.DeviceActions;
import org.budayang.api.device.DeviceException;
import org.budayang.api.device.DeviceInfo;
import org.budayang.api.device.DeviceRegistry;
import org.budayang.api.device.DeviceState;
import org.budayang.api.device.Receipt;
import org.budayang.api.device.ReceiptPrinter;
import org.budayang.api.hall.HallService;
import org.budayang.api.identity.CitizenSession;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Devices over HTTP: their health (admins, and each terminal for its own), named actions of
 * department devices (the terminal), and printing a case receipt on the terminal's receipt
 * printer (the citizen). The device services come and go with the devices' health; without the
 * device runtime the health routes answer 503.
 */
final class DevicesApi {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** Receipts show the hall's local time. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.of("Asia/Shanghai"));

    private final HallService halls;
    private final Authenticator auth;
    private final CitizenApi citizens;
    private final CaseService cases;
    private final Catalogue catalogue;
    private final String publicBase;
    private volatile DeviceRegistry registry;
    /** Service to the terminal it belongs to. */
    private final Map<ReceiptPrinter, String> printers = new ConcurrentHashMap<>();
    /** Service to the device it belongs to. */
    private final Map<DeviceActions, String> actions = new ConcurrentHashMap<>();

    DevicesApi(HallService halls, Authenticator auth, CitizenApi citizens, CaseService cases, Catalogue catalogue,
            String publicBase) {
        this.halls = halls;
        this.auth = auth;
        this.citizens = citizens;
        this.cases = cases;
        this.catalogue = catalogue;
        this.publicBase = publicBase.replaceAll("/+$", "");
    }

    void setRegistry(DeviceRegistry r) {
        registry = r;
    }

    void unsetRegistry(DeviceRegistry r) {
        if (registry == r) {
            registry = null;
        }
    }

    void addPrinter(ReceiptPrinter p, Map<String, Object> props) {
        printers.put(p, String.valueOf(props.get(Capabilities.TERMINAL)));
    }

    void removePrinter(ReceiptPrinter p) {
        printers.remove(p);
    }

    void addActions(DeviceActions a, Map<String, Object> props) {
        actions.put(a, String.valueOf(props.get(Capabilities.DEVICE)));
    }

    void removeActions(DeviceActions a) {
        actions.remove(a);
    }

    private DeviceRegistry registry() {
        DeviceRegistry r = registry;
        if (r == null) {
            throw new ApiException(503, "devices_unavailable", "the device runtime (org.budayang.core.device) is not running");
        }
        return r;
    }

    // ---- health ---------------------------------------------------------------------------------

    /** A hall admin, or the terminal itself with its token. */
    void ofTerminal(HttpServletRequest req, HttpServletResponse resp, String terminal) throws IOException {
        if (halls.terminal(terminal).isEmpty()) {
            throw ApiException.notFound("no terminal '" + terminal + "'");
        }
        if (req.getHeader(CitizenApi.TERMINAL_TOKEN) != null) {
            citizens.requireTerminal(req, terminal);
        } else {
            auth.require(req, ApiServlet.HALL_ADMIN);
        }
        Json.write(resp, 200, json(registry().devices(terminal)));
    }

    void all(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        auth.require(req, ApiServlet.HALL_ADMIN);
        Json.write(resp, 200, json(registry().devices()));
    }

    static ArrayNode json(List<DeviceInfo> devices) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (DeviceInfo d : devices) {
            ObjectNode o = out.addObject();
            o.put("id", d.id());
            o.put("type", d.type());
            o.put("port", d.port());
            o.put("terminal", d.terminal());
            o.put("state", d.state().name().toLowerCase(java.util.Locale.ROOT));
            o.put("lastGoodReply", d.lastGoodReply() == null ? null : d.lastGoodReply().toString());
            o.put("lastReply", d.lastReply());
            o.put("consecutiveErrors", d.consecutiveErrors());
            o.put("problem", d.problem());
            ArrayNode caps = o.putArray("capabilities");
            new TreeSet<>(d.capabilities()).forEach(caps::add);
            ObjectNode settings = o.putObject("settings");
            new java.util.TreeMap<>(d.settings()).forEach(settings::put);
        }
        return out;
    }

    // ---- actions of department devices -------------------------------------------------------------

    void perform(HttpServletRequest req, HttpServletResponse resp, String terminal, String device, String action)
            throws IOException {
        citizens.requireTerminal(req, terminal);
        DeviceInfo d = registry().device(device).filter(i -> terminal.equals(i.terminal()))
                .orElseThrow(() -> ApiException.notFound("no device '" + device + "' at terminal '" + terminal + "'"));
        byte[] body = Json.bytes(req.getInputStream());
        Map<String, Object> arguments = body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()
                ? Map.of()
                : Json.MAPPER.convertValue(Json.object(new ByteArrayInputStream(body), null), MAP);
        if (d.state() == DeviceState.OFFLINE) {
            throw new ApiException(503, "device_offline", "device '" + device + "' is offline: " + d.problem());
        }
        Optional<DeviceActions> svc = actions.entrySet().stream().filter(e -> e.getValue().equals(device))
                .map(Map.Entry::getKey).findFirst();
        List<String> known = svc.map(a -> new ArrayList<>(new TreeSet<>(a.actions()))).orElse(new ArrayList<>());
        if (!known.contains(action)) {
            throw new ApiException(400, "unknown_action", "device '" + device + "' (" + d.type() + ") has no action '"
                    + action + "'" + (known.isEmpty() ? "; it offers none" : "; it offers: " + String.join(", ", known)));
        }
        Map<String, Object> result;
        try {
            result = svc.get().perform(action, arguments);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        } catch (DeviceException e) {
            if (e.reason() == DeviceException.Reason.REFUSED) {
                throw new ApiException(409, "refused", "device '" + device + "' refused: " + e.getMessage());
            }
            throw new ApiException(503, "device_unavailable", "device '" + device + "' did not do it: " + e.getMessage());
        }
        Json.write(resp, 200, Json.MAPPER.valueToTree(result == null ? Map.of() : result));
    }

    // ---- the case receipt ---------------------------------------------------------------------------

    /** Prints the receipt of the citizen's case on the receipt printer of the session's terminal. */
    void printReceipt(HttpServletRequest req, HttpServletResponse resp, String number) throws IOException {
        CitizenSession session = citizens.current(req);
        CaseRecord c = cases.find(number).filter(x -> x.applicant().id().equals(session.person().id()))
                .orElseThrow(() -> ApiException.notFound("no case " + number + " of yours"));
        ReceiptPrinter printer = printers.entrySet().stream().filter(e -> e.getValue().equals(session.terminal()))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new ApiException(409, "no_printer", "terminal '" + session.terminal()
                        + "' has no working receipt printer right now; 本机暂无可用的回执打印机"));
        Receipt receipt = receipt(c);
        try {
            printer.print(receipt);
        } catch (DeviceException e) {
            if (e.reason() == DeviceException.Reason.REFUSED) {
                throw new ApiException(503, "printer_refused", "the receipt printer cannot print: " + e.getMessage()
                        + "; 回执打印机无法打印，请联系工作人员");
            }
            throw new ApiException(503, "printer_unavailable", "the receipt printer did not answer: " + e.getMessage());
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("case", c.number());
        o.put("terminal", session.terminal());
        o.put("printed", true);
        o.put("qr", receipt.qrCode());
        Json.write(resp, 200, o);
    }

    /** Case number, item, department, the masked applicant, time and status; the QR code opens its status page. */
    Receipt receipt(CaseRecord c) {
        Optional<Item> item = catalogue.item(c.item());
        List<String> lines = new ArrayList<>();
        lines.add("办件编号 Case: " + c.number());
        lines.add("事项 Item: " + c.item());
        item.ifPresent(i -> {
            lines.add("  " + i.name().zh());
            lines.add("  " + i.name().en());
        });
        lines.add("部门 Department: " + c.department());
        lines.add("申请人 Applicant: " + c.applicant().name() + " " + c.applicant().id().masked());
        lines.add("提交时间 Submitted: " + TIME.format(c.submittedAt()));
        lines.add("状态 Status: " + c.status().name().toLowerCase(java.util.Locale.ROOT));
        // The QR code leads an anonymous phone to the case's public status page (no login, no
        // personal data), not to the API, which would ask the phone for a session it has not.
        return new Receipt("办件回执 Case receipt", lines, CaseStatusPage.address(publicBase, cases.statusToken(c.number())),
                "请保留此回执 Keep this receipt");
    }
}
