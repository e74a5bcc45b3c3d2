package org.budayang.web.internal;

import java.io.IOException;
import java.io.OutputStream;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.budayang.api.docs.DocumentException;
import org.budayang.api.docs.DocumentRequest;
import org.budayang.api.docs.DocumentService;
import org.budayang.api.docs.SealedDocument;
import org.budayang.api.identity.CitizenSession;

/**
 * Sealed documents for a logged-in citizen: {@code POST /api/v1/items/{code}/documents}
 * answers the PDF itself, so the terminal prints or shows it without a second request.
 */
final class DocumentsApi {
    private final DocumentService documents;
    private final CitizenApi citizens;

    DocumentsApi(DocumentService documents, CitizenApi citizens) {
        this.documents = documents;
        this.citizens = citizens;
    }

    /** A blank form to print and fill by hand; public, as it holds no personal data. */
    void blankForm(HttpServletRequest req, HttpServletResponse resp, String item) throws IOException {
        String situation = req.getParameter("situation");
        byte[] pdf = documents.blankForm(item, situation == null || situation.isBlank() ? null : situation);
        resp.setStatus(200);
        resp.setContentType("application/pdf");
        resp.setHeader("Content-Disposition", "inline; filename=\"form-" + item + ".pdf\"");
        resp.setContentLength(pdf.length);
        resp.getOutputStream().write(pdf);
    }

    void issue(HttpServletRequest req, HttpServletResponse resp, String item) throws IOException {
        CitizenSession session = citizens.current(req);
        SealedDocument doc = documents.issue(new DocumentRequest(session, item));
        resp.setStatus(201);
        resp.setContentType("application/pdf");
        resp.setContentLength(doc.pdf().length);
        resp.setHeader("X-Document-Code", doc.code());
        resp.setHeader("Location", "/verify/" + doc.code());
        resp.setHeader("Content-Disposition", "inline; filename=\"" + doc.code() + ".pdf\"");
        // A citizen's document must not linger in a shared terminal's or proxy's cache.
        resp.setHeader("Cache-Control", "no-store");
        try (OutputStream out = resp.getOutputStream()) {
            out.write(doc.pdf());
        }
    }

    static ApiException map(DocumentException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> ApiException.notFound(e.getMessage());
            case NOT_A_DOCUMENT -> new ApiException(400, "not_a_document", e.getMessage());
            case NO_RECORDS -> new ApiException(404, "no_records", "该部门没有您在此事项下的记录。 " + e.getMessage());
            // The detail (addresses, status codes) is in the log; the citizen gets what to do.
            case UNAVAILABLE -> new ApiException(503, "backoffice_unavailable",
                    "部门业务系统暂时无法连接，请稍后再试。 The department's system cannot be reached right now; "
                            + "please try again later.");
        };
    }
}
