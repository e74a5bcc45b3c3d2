package org.budayang.web.internal;

import static org.budayang.web.internal.Pages.esc;
import static org.budayang.web.internal.Pages.row;

import java.io.IOException;
import java.util.Optional;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.docs.DocumentService;
import org.budayang.api.docs.Verification;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Public verification of sealed documents, where the QR code leads: {@code GET /verify/<code>}
 * is a page (Chinese first, then English) for a phone's browser, or JSON with
 * {@code Accept: application/json}; {@code POST /verify/<code>} with the PDF as the body
 * checks that file byte for byte. No login: whoever holds a document (a bank clerk, a
 * landlord) must be able to check it. It shows nothing but title, time, hall and the masked
 * holder.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("budayang-verify")
@HttpWhiteboardServletPattern("/verify/*")
public final class VerifyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VerifyServlet.class);
    static final int MAX_PDF = 20 * 1024 * 1024;

    private final transient DocumentService documents;

    @Activate
    public VerifyServlet(@Reference DocumentService documents) {
        this.documents = documents;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            String code = req.getPathInfo() == null ? "" : req.getPathInfo().replaceAll("^/+|/+$", "");
            if (req.getMethod().equals("GET")) {
                Optional<Verification> v = documents.verify(code, null);
                if (Pages.wantsJson(req)) {
                    json(resp, code, v);
                } else {
                    page(resp, code, v);
                }
            } else if (req.getMethod().equals("POST")) {
                byte[] pdf = req.getInputStream().readNBytes(MAX_PDF + 1);
                if (pdf.length == 0) {
                    Json.error(resp, 400, "invalid_field", "send the PDF file as the request body", null);
                } else if (pdf.length > MAX_PDF) {
                    Json.error(resp, 413, "too_large", "a document is never larger than " + MAX_PDF + " bytes", null);
                } else {
                    json(resp, code, documents.verify(code, pdf));
                }
            } else {
                resp.setHeader("Allow", "GET, POST");
                Json.error(resp, 405, "method_not_allowed", req.getMethod() + " is not supported here", null);
            }
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure on {} {}", req.getMethod(), req.getRequestURI(), e);
            Json.error(resp, 500, "internal", "the server failed to handle this request; the log has the details", null);
        }
    }

    private static void json(HttpServletResponse resp, String code, Optional<Verification> found) throws IOException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("code", code);
        if (found.isEmpty()) {
            o.put("genuine", false);
            o.put("error", "not_found");
            o.put("reason", "no document was issued under this code");
            o.put("message", "查无此文书。 No document was issued under this code.");
            Json.write(resp, 404, o);
            return;
        }
        Verification v = found.get();
        o.put("code", v.code());
        o.put("genuine", v.genuine());
        o.put("reason", v.reason());
        o.putObject("title").put("zh", v.title().zh()).put("en", v.title().en());
        o.put("issuedAt", v.issuedAt().toString());
        o.putObject("hall").put("zh", v.hall().zh()).put("en", v.hall().en());
        o.put("holder", v.holder());
        o.put("holderId", v.holderId());
        Json.write(resp, 200, o);
    }

    private static void page(HttpServletResponse resp, String code, Optional<Verification> found) throws IOException {
        StringBuilder b = Pages.start("文书核验 Document verification", "")
                .append("<h1>文书核验 <span class=\"en\">Document verification</span></h1>");
        int status;
        if (found.isEmpty()) {
            status = 404;
            b.append("<div class=\"box bad\"><h2>✗ 查无此文书</h2><p class=\"en\">No document was issued under the code <code>")
                    .append(esc(code)).append("</code>. It may be forged, or the code was mistyped.</p></div>");
        } else {
            status = 200;
            Verification v = found.get();
            if (v.genuine()) {
                b.append("<div class=\"box ok\"><h2>✓ 真实有效</h2><p class=\"en\">Genuine: this document was issued by the "
                        + "hall below and its issue record is intact.</p>");
            } else {
                b.append("<div class=\"box bad\"><h2>✗ 未通过核验</h2><p class=\"en\">Not genuine: ").append(esc(v.reason()))
                        .append("</p>");
            }
            b.append("<table>");
            row(b, "文书编号", "Code", "<code>" + esc(v.code()) + "</code>");
            row(b, "文书名称", "Title", esc(v.title().zh()) + "<br><span class=\"en\">" + esc(v.title().en()) + "</span>");
            row(b, "出具时间", "Issued at", esc(Pages.ZH.format(v.issuedAt())) + "<br><span class=\"en\">" + esc(v.issuedAt().toString())
                    + "</span>");
            row(b, "出具单位", "Issued by", esc(v.hall().zh()) + "<br><span class=\"en\">" + esc(v.hall().en()) + "</span>");
            row(b, "持有人", "Holder", esc(v.holder()) + " " + esc(v.holderId()));
            b.append("</table></div><p>请核对纸质或电子文书上的内容与上述信息一致；如需逐字节核验文件，请上传 PDF：</p>"
                    + "<p class=\"en\">Compare the document with the details above. To check that a PDF file is exactly the one "
                    + "issued, choose it here:</p><input type=\"file\" id=\"f\" accept=\"application/pdf\"><p id=\"r\"></p>"
                    + "<script src=\"/static/verify.js\"></script>");
        }
        b.append("</body></html>");
        Pages.write(resp, status, b);
    }
}
