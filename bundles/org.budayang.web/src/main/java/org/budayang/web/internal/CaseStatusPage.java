package org.budayang.web.internal;

import static org.budayang.web.internal.Pages.esc;
import static org.budayang.web.internal.Pages.row;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.cases.CaseService;
import org.budayang.api.cases.CaseStatus;
import org.budayang.api.cases.PublicCaseStatus;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.LocalizedText;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A case's public status page, where the receipt's QR code leads: {@code GET /status/<token>}
 * is a page (Chinese first, then English) for a phone's browser, or JSON with
 * {@code Accept: application/json}. No login: the phone that scans the receipt has no session.
 * The random token is the only key, and the page shows nothing personal: no applicant, no form,
 * not even a rejection's reason (staff may have written personal details into it) — only where
 * the case stands and what happens next.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("budayang-case-status")
@HttpWhiteboardServletPattern("/status/*")
public final class CaseStatusPage extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CaseStatusPage.class);
    private static final List<CaseStatus> PATH = List.of(CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.APPROVED,
            CaseStatus.RESULT_READY, CaseStatus.COMPLETED);

    private final transient CaseService cases;
    private final transient Catalogue catalogue;

    @Activate
    public CaseStatusPage(@Reference CaseService cases, @Reference Catalogue catalogue) {
        this.cases = cases;
        this.catalogue = catalogue;
    }

    /** What the receipt's QR code holds. */
    static String address(String publicBase, String token) {
        return publicBase.replaceAll("/+$", "") + "/status/" + token;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            if (!req.getMethod().equals("GET")) {
                resp.setHeader("Allow", "GET");
                Json.error(resp, 405, "method_not_allowed", req.getMethod() + " is not supported here", null);
                return;
            }
            String token = req.getPathInfo() == null ? "" : req.getPathInfo().replaceAll("^/+|/+$", "");
            Optional<PublicCaseStatus> found = cases.publicStatus(token);
            // The state changes while the citizen waits: never from a cache; and the token stays
            // out of any other site's logs.
            resp.setHeader("Cache-Control", "no-store");
            resp.setHeader("Referrer-Policy", "no-referrer");
            if (Pages.wantsJson(req)) {
                json(resp, found);
            } else {
                page(resp, found);
            }
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure on the case status page", e);
            Json.error(resp, 500, "internal", "the server failed to handle this request; the log has the details", null);
        }
    }

    /** The next step as the citizen reads it, by where the case stands. */
    static LocalizedText nextStep(PublicCaseStatus s) {
        return switch (s.status()) {
            case SUBMITTED -> s.processedInHall()
                    ? new LocalizedText("已提交，等待大厅窗口工作人员受理。", "Submitted; the hall's window staff will take it up.")
                    : s.forwarded()
                            ? new LocalizedText("已提交并送达部门，等待部门受理。",
                                    "Submitted and delivered to the department; waiting for it to be accepted.")
                            : new LocalizedText("已提交，正在送往部门系统，送达后由部门受理。",
                                    "Submitted; it is on its way to the department's system, which will then take it up.");
            case ACCEPTED -> new LocalizedText("已受理，正在审核。", "Accepted; it is being reviewed.");
            case APPROVED -> new LocalizedText("已批准，正在制作办理结果。", "Approved; the result is being prepared.");
            case RESULT_READY -> new LocalizedText("办理结果已就绪：请持本回执或身份证到大厅领取，或按短信提示到智能文件柜取件。",
                    "The result is ready: collect it at the hall with this receipt or your ID card, or from the file "
                            + "locker as the text message says.");
            case REJECTED -> new LocalizedText("未予通过。原因已告知申请人：请在自助终端登录后查看，或咨询大厅工作人员。",
                    "Not approved. The applicant has been told why: log in at a terminal to read the reason, or ask "
                            + "the hall staff.");
            case COMPLETED -> new LocalizedText("已办结。", "Completed.");
        };
    }

    static LocalizedText statusName(CaseStatus s) {
        return switch (s) {
            case SUBMITTED -> new LocalizedText("已提交", "Submitted");
            case ACCEPTED -> new LocalizedText("已受理", "Accepted");
            case APPROVED -> new LocalizedText("已批准", "Approved");
            case RESULT_READY -> new LocalizedText("结果已就绪", "Result ready");
            case REJECTED -> new LocalizedText("未予通过", "Not approved");
            case COMPLETED -> new LocalizedText("已办结", "Completed");
        };
    }

    private LocalizedText itemName(PublicCaseStatus s) {
        return catalogue.item(s.item()).map(Item::name).orElse(new LocalizedText(s.item(), s.item()));
    }

    private LocalizedText departmentName(PublicCaseStatus s) {
        return catalogue.departments().stream().filter(d -> d.code().equals(s.department())).map(Department::name)
                .findFirst().orElse(new LocalizedText(s.department(), s.department()));
    }

    private void json(HttpServletResponse resp, Optional<PublicCaseStatus> found) throws IOException {
        if (found.isEmpty()) {
            Json.error(resp, 404, "not_found", "no case has this status address; check the QR code or the receipt", null);
            return;
        }
        PublicCaseStatus s = found.get();
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("number", s.number());
        o.put("item", s.item());
        LocalizedText item = itemName(s);
        LocalizedText state = statusName(s.status());
        LocalizedText next = nextStep(s);
        o.putObject("itemName").put("zh", item.zh()).put("en", item.en());
        o.put("department", s.department());
        o.put("status", s.status().name().toLowerCase(java.util.Locale.ROOT));
        o.putObject("statusName").put("zh", state.zh()).put("en", state.en());
        o.putObject("nextStep").put("zh", next.zh()).put("en", next.en());
        o.put("submittedAt", s.submittedAt().toString());
        o.put("updatedAt", s.updatedAt().toString());
        Json.write(resp, 200, o);
    }

    private void page(HttpServletResponse resp, Optional<PublicCaseStatus> found) throws IOException {
        StringBuilder b = Pages.start("办件进度 Case status", "<meta name=\"robots\" content=\"noindex\">")
                .append("<h1>办件进度查询 <span class=\"en\">Case status</span></h1>");
        int status;
        if (found.isEmpty()) {
            status = 404;
            b.append("<div class=\"box bad\" id=\"case-status\"><h2>✗ 查无此办件</h2><p>请核对回执上的二维码，或持回执到大厅咨询。</p>"
                    + "<p class=\"en\">No case has this address. Scan the QR code on the receipt again, or ask at the "
                    + "hall with the receipt.</p></div>");
        } else {
            status = 200;
            PublicCaseStatus s = found.get();
            LocalizedText state = statusName(s.status());
            LocalizedText next = nextStep(s);
            LocalizedText item = itemName(s);
            LocalizedText dept = departmentName(s);
            b.append("<div class=\"box ").append(s.status() == CaseStatus.REJECTED ? "bad" : "ok")
                    .append("\" id=\"case-status\" data-status=\"").append(s.status().name().toLowerCase(java.util.Locale.ROOT))
                    .append("\"><h2>").append(esc(state.zh())).append(" <span class=\"en\">").append(esc(state.en()))
                    .append("</span></h2><p id=\"next-step\">").append(esc(next.zh())).append("<br><span class=\"en\">")
                    .append(esc(next.en())).append("</span></p>");
            if (s.status() != CaseStatus.REJECTED) {
                b.append("<ol class=\"steps\">");
                int at = PATH.indexOf(s.status());
                for (int i = 0; i < PATH.size(); i++) {
                    LocalizedText n = statusName(PATH.get(i));
                    b.append("<li class=\"").append(i < at ? "done" : i == at ? "now" : "todo").append("\">")
                            .append(esc(n.zh())).append(" <span class=\"en\">").append(esc(n.en())).append("</span></li>");
                }
                b.append("</ol>");
            }
            b.append("<table>");
            row(b, "办件编号", "Case number", "<code>" + esc(s.number()) + "</code>");
            row(b, "办理事项", "Service", esc(item.zh()) + "<br><span class=\"en\">" + esc(item.en()) + "</span>");
            row(b, "办理部门", "Department", esc(dept.zh()) + "<br><span class=\"en\">" + esc(dept.en()) + "</span>");
            row(b, "提交时间", "Submitted", esc(Pages.ZH.format(s.submittedAt())));
            row(b, "最近更新", "Last change", esc(Pages.ZH.format(s.updatedAt())));
            b.append("</table></div><p>本页不显示申请人信息。刷新本页可查看最新进度。</p><p class=\"en\">This page shows nothing "
                    + "about the applicant. Reload it to see the latest state.</p>");
        }
        b.append("</body></html>");
        Pages.write(resp, status, b);
    }
}
