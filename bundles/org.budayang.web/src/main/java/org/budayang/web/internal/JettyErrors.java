package org.budayang.web.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What Jetty refuses before any servlet sees the request (a malformed URI or header, a header
 * too large, an unknown HTTP version) is answered in the API's error format, not Jetty's HTML.
 * Pax Web adds every {@link Handler} service to the server; this one handles nothing and only
 * uses the moment it is given the server to install the error handler (and puts the old one
 * back when it goes).
 */
@Component(service = Handler.class, property = "handler.rank:Integer=-1000")
public final class JettyErrors extends AbstractHandler {
    private Server server;
    private ErrorHandler previous;

    @Override
    public synchronized void setServer(Server s) {
        super.setServer(s);
        if (s != null && s != server) {
            server = s;
            previous = s.getErrorHandler();
            JsonErrorHandler mine = new JsonErrorHandler();
            // First, or the server (maybe starting) starts it as a bean and then refuses to give it the server.
            mine.setServer(s);
            s.setErrorHandler(mine);
        }
    }

    @Override
    public void handle(String target, Request base, HttpServletRequest req, HttpServletResponse resp) {
        // Not a request handler: requests go on to the servlet contexts.
    }

    @Deactivate
    synchronized void deactivate() {
        if (server != null && server.getErrorHandler() instanceof JsonErrorHandler) {
            ErrorHandler back = previous == null ? new ErrorHandler() : previous;
            back.setServer(server);
            server.setErrorHandler(back);
        }
    }

    static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 413 -> "too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }

    static byte[] body(int status, String reason) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("error", code(status));
        o.put("message", "the server could not read this request: " + (reason == null ? "HTTP " + status : reason));
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Jetty's server-wide error handler, answering JSON for the API and for unreadable requests. */
    static final class JsonErrorHandler extends ErrorHandler {
        JsonErrorHandler() {
            setShowStacks(false);
            setShowServlet(false);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields fields) {
            // The request could not even be parsed, so its path is unknown: JSON for everyone.
            fields.put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
            fields.put("X-Content-Type-Options", "nosniff");
            return ByteBuffer.wrap(body(status, reason));
        }

        @Override
        protected void generateAcceptableResponse(Request base, HttpServletRequest req, HttpServletResponse resp, int code,
                String message) throws IOException {
            String uri = req.getRequestURI();
            if (uri != null && uri.startsWith("/api/")) {
                base.setHandled(true);
                byte[] b = body(code, message);
                resp.setContentType("application/json;charset=utf-8");
                resp.setContentLength(b.length);
                resp.getOutputStream().write(b);
                return;
            }
            super.generateAcceptableResponse(base, req, resp, code, message);
        }
    }
}
