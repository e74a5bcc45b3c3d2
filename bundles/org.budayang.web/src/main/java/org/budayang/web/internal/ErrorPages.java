package org.budayang.web.internal;

import java.io.IOException;

import javax.servlet.RequestDispatcher;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletErrorPage;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;

/**
 * The error pages of the default context, for errors no servlet of ours answered (a path that
 * leaves {@code /api/v1} once {@code ..} is resolved, a file that is not there, the API not
 * registered yet): JSON under {@code /api/}, a plain bilingual page elsewhere; never Jetty's page.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletName("budayang-errors")
@HttpWhiteboardServletErrorPage(errorPage = { "4xx", "5xx" })
public final class ErrorPages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri == null ? req.getRequestURI() : uri.toString();
        Json.reset(resp);
        if (path != null && path.startsWith("/api/")) {
            String error = switch (status) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 503 -> "unavailable";
                default -> JettyErrors.code(status);
            };
            Json.error(resp, status, error, status == 404 ? "no such resource" : "HTTP " + status, null);
            return;
        }
        String zh = status == 404 ? "找不到该页面" : "请求无法处理";
        String en = status == 404 ? "There is no such page." : "The request could not be handled (HTTP " + status + ").";
        Pages.write(resp, status, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + status
                + "</title><link rel=\"stylesheet\" href=\"/static/pages.css\"></head><body><div class=\"result\"><h1>" + zh
                + "</h1><p class=\"en\">" + en + "</p></div></body></html>");
    }
}
