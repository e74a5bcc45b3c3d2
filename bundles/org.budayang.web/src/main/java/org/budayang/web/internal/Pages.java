package org.budayang.web.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The platform's own server-rendered pages (document verification, the case status page, login
 * results, error pages): one head, one way to escape, one way to write them.
 */
final class Pages {
    static final DateTimeFormatter ZH = DateTimeFormatter.ofPattern("yyyy年M月d日 HH:mm:ss（北京时间）")
            .withZone(ZoneId.of("Asia/Shanghai"));

    private Pages() {
    }

    /** A page's start up to and including the demo banner: the caller adds the body and the end. */
    static StringBuilder start(String title, String moreHead) {
        return new StringBuilder("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" + moreHead
                + "<title>" + esc(title) + "</title><link rel=\"stylesheet\" href=\"/static/pages.css\"></head><body>"
                + SetupApi.demoBanner());
    }

    /** True if the caller asked for JSON rather than the page (a script, not a phone's browser). */
    static boolean wantsJson(HttpServletRequest req) {
        String accept = req.getHeader("Accept");
        return accept != null && accept.contains("application/json") && !accept.contains("text/html");
    }

    static void write(HttpServletResponse resp, int status, CharSequence html) throws IOException {
        byte[] body = html.toString().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/html;charset=utf-8");
        resp.setContentLength(body.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(body);
        }
    }

    /** A table row of a two-language label and its (already escaped) value. */
    static void row(StringBuilder b, String zh, String en, String valueHtml) {
        b.append("<tr><th>").append(zh).append("<br><span class=\"en\">").append(en).append("</span></th><td>")
                .append(valueHtml).append("</td></tr>");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
