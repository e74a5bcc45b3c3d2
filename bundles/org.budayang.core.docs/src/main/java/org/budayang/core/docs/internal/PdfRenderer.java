package org.budayang.core.docs.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.EnumMap;
import java.util.GregorianCalendar;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

import org.apache.fontbox.ttf.TrueTypeCollection;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.graphics.state.PDExtendedGraphicsState;
import org.apache.pdfbox.util.Matrix;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.docs.DocumentData;

import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;

/**
 * Lays a document out on A4: title, holder, the department's lines and tables, and at the end
 * the verification QR code, the issuing hall with the date and the hall's round red seal over
 * them. Everything is vector graphics (the seal and the QR code too), so nothing is fetched or
 * read besides the font.
 *
 * <p>Without a Chinese font the built-in Helvetica is used and only the English half of each
 * text is printed (Chinese characters are dropped): a readable document rather than none.
 */
final class PdfRenderer {
    static final String META_CODE = "BudayangCode";
    static final String META_KEY = "BudayangKeyId";
    static final String META_CONTENT_SHA256 = "BudayangContentSHA256";
    static final String META_CONTENT_SIGNATURE = "BudayangContentSignature";
    static final String META_CONTENT = "BudayangContent";
    static final String META_VERIFY_URL = "BudayangVerifyUrl";

    private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final float W = PDRectangle.A4.getWidth();
    private static final float H = PDRectangle.A4.getHeight();
    private static final float M = 50;
    /** Height of the closing block (QR code, issuer, seal) at the foot of the last page. */
    private static final float CLOSING = 190;
    private static final float[] RED = { 0.82f, 0.07f, 0.07f };
    private static final float[] GREY = { 0.42f, 0.42f, 0.42f };
    private static final float[] BLACK = { 0, 0, 0 };

    private final Path fontPath;

    /** @param fontPath a TrueType font or collection with Chinese glyphs; null for the ASCII fallback */
    PdfRenderer(Path fontPath) {
        this.fontPath = fontPath;
    }

    boolean chinese() {
        return fontPath != null;
    }

    byte[] render(Content c, String verifyUrl, Map<String, String> metadata) throws IOException {
        return render(c, verifyUrl, metadata, false);
    }

    /** A form to fill by hand: no holder block, no seal or QR code, lines to sign on. */
    byte[] renderBlank(Content c) throws IOException {
        return render(c, null, Map.of(), true);
    }

    private byte[] render(Content c, String verifyUrl, Map<String, String> metadata, boolean blank) throws IOException {
        TrueTypeCollection collection = null;
        try (PDDocument doc = new PDDocument()) {
            PDFont font;
            if (fontPath == null) {
                font = PDType1Font.HELVETICA;
            } else if (fontPath.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(ttc|otc)")) {
                collection = new TrueTypeCollection(fontPath.toFile());
                TrueTypeFont[] first = new TrueTypeFont[1];
                collection.processAllFonts(f -> {
                    if (first[0] == null) {
                        first[0] = f;
                    }
                });
                font = PDType0Font.load(doc, first[0], true);
            } else {
                font = PDType0Font.load(doc, fontPath.toFile());
            }
            Layout layout = new Layout(doc, font, c, verifyUrl, metadata);
            if (blank) {
                layout.runBlank();
            } else {
                layout.run();
            }
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle(c.title().zh() + " " + c.title().en());
            info.setSubject(c.title().en());
            info.setAuthor(c.hall().zh() + " " + c.hall().en());
            info.setCreator("Budayang 不打烊");
            info.setProducer("Budayang sealed documents");
            Calendar when = new GregorianCalendar(TimeZone.getTimeZone(CHINA));
            when.setTimeInMillis(c.issuedAt().toEpochMilli());
            info.setCreationDate(when);
            info.setModificationDate(when);
            metadata.forEach(info::setCustomMetadataValue);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } finally {
            if (collection != null) {
                collection.close();
            }
        }
    }

    /** One document being laid out: the current page, its content stream and the pen's height. */
    private final class Layout {
        private final PDDocument doc;
        private final PDFont font;
        private final Content c;
        private final String verifyUrl;
        private final Map<String, String> metadata;
        private final Map<Integer, Boolean> printable = new HashMap<>();
        private PDPageContentStream cs;
        private float y;
        private int pages;

        Layout(PDDocument doc, PDFont font, Content c, String verifyUrl, Map<String, String> metadata) {
            this.doc = doc;
            this.font = font;
            this.c = c;
            this.verifyUrl = verifyUrl;
            this.metadata = metadata;
        }

        void run() throws IOException {
            newPage();
            title();
            holder();
            for (DocumentData.Line l : c.data().lines()) {
                line(l.label(), l.value());
            }
            for (DocumentData.Table t : c.data().tables()) {
                table(t);
            }
            if (y - CLOSING < M + 14) {
                newPage();
            }
            closing();
            cs.close();
        }

        void runBlank() throws IOException {
            newPage();
            title();
            for (DocumentData.Table t : c.data().tables()) {
                table(t);
            }
            y -= 10;
            for (DocumentData.Line l : c.data().lines()) {
                line(l.label(), l.value());
            }
            y -= 30;
            line(new LocalizedText("申请人签名", "Applicant's signature"), "______________________");
            line(new LocalizedText("日期", "Date"), "______ 年 ____ 月 ____ 日");
            cs.close();
        }

        // ---- pages ----------------------------------------------------------------------

        void newPage() throws IOException {
            if (cs != null) {
                cs.close();
            }
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            cs = new PDPageContentStream(doc, page);
            pages++;
            text(M, H - 30, 8, GREY, both(c.hall()) + (chinese() ? " · 7×24小时政务服务自助区" : ""));
            String no = label("文书编号", "No.") + " " + c.code() + "   " + label("第" + pages + "页", "page " + pages);
            text(W - M - width(no, 8), H - 30, 8, GREY, no);
            rule(H - 36, 0.4f, GREY);
            y = H - 36;
        }

        void need(float height) throws IOException {
            if (y - height < M + 14) {
                newPage();
                y -= 10;
            }
        }

        // ---- blocks ---------------------------------------------------------------------

        void title() throws IOException {
            y -= 44;
            String zh = chinese() ? c.title().zh() : c.title().en();
            text((W - width(zh, 22)) / 2, y, 22, BLACK, zh);
            if (chinese()) {
                y -= 20;
                text((W - width(c.title().en(), 11)) / 2, y, 11, GREY, c.title().en());
            }
            y -= 12;
            rule(y, 1.6f, RED);
            rule(y - 3, 0.5f, RED);
            y -= 14;
        }

        void holder() throws IOException {
            String issued = issuedText();
            line(new LocalizedText("持有人", "Holder"), c.holderName());
            line(new LocalizedText("证件号码", "ID number"), c.holderId());
            line(new LocalizedText("出具时间", "Issued at"), issued);
            line(new LocalizedText("数据来源", "Source"), both(c.departmentName()));
            y -= 8;
        }

        void line(LocalizedText label, String value) throws IOException {
            float valueX = M + 150;
            List<String> lines = wrap(printableText(value), 10.5f, W - M - valueX);
            float height = Math.max(chinese() ? 24 : 14, lines.size() * 14f) + 6;
            need(height);
            float top = y;
            if (chinese()) {
                text(M, top - 12, 10.5f, BLACK, label.zh());
                text(M, top - 22, 7.5f, GREY, label.en());
            } else {
                text(M, top - 12, 10.5f, BLACK, label.en());
            }
            float ly = top - 12;
            for (String l : lines) {
                text(valueX, ly, 10.5f, BLACK, l);
                ly -= 14;
            }
            y = top - height;
            rule(y, 0.3f, new float[] { 0.8f, 0.8f, 0.8f });
        }

        void table(DocumentData.Table t) throws IOException {
            int n = t.columns().size();
            float colW = (W - 2 * M) / n;
            need(70);
            y -= 20;
            text(M, y, 11, BLACK, chinese() ? t.caption().zh() + "  " : "");
            text(M + (chinese() ? width(t.caption().zh() + "  ", 11) : 0), y, chinese() ? 8 : 11, chinese() ? GREY : BLACK,
                    t.caption().en());
            y -= 8;
            header(t, colW);
            for (List<String> row : t.rows()) {
                List<List<String>> cells = new ArrayList<>();
                int most = 1;
                for (String cell : row) {
                    List<String> w = wrap(printableText(cell), 9, colW - 8);
                    cells.add(w);
                    most = Math.max(most, w.size());
                }
                float rowH = most * 12 + 6;
                if (y - rowH < M + 14) {
                    newPage();
                    y -= 10;
                    header(t, colW);
                }
                for (int i = 0; i < n; i++) {
                    float ty = y - 12;
                    for (String l : cells.get(i)) {
                        text(M + i * colW + 4, ty, 9, BLACK, l);
                        ty -= 12;
                    }
                }
                cellBorders(n, colW, rowH);
                y -= rowH;
            }
            y -= 6;
        }

        void header(DocumentData.Table t, float colW) throws IOException {
            int n = t.columns().size();
            float rowH = chinese() ? 26 : 16;
            cs.setNonStrokingColor(0.94f, 0.94f, 0.94f);
            cs.addRect(M, y - rowH, W - 2 * M, rowH);
            cs.fill();
            for (int i = 0; i < n; i++) {
                LocalizedText col = t.columns().get(i);
                if (chinese()) {
                    text(M + i * colW + 4, y - 11, 9, BLACK, col.zh());
                    text(M + i * colW + 4, y - 21, 7, GREY, col.en());
                } else {
                    text(M + i * colW + 4, y - 11, 9, BLACK, col.en());
                }
            }
            cellBorders(n, colW, rowH);
            y -= rowH;
        }

        void cellBorders(int n, float colW, float rowH) throws IOException {
            cs.setStrokingColor(0.7f, 0.7f, 0.7f);
            cs.setLineWidth(0.4f);
            cs.addRect(M, y - rowH, W - 2 * M, rowH);
            for (int i = 1; i < n; i++) {
                cs.moveTo(M + i * colW, y);
                cs.lineTo(M + i * colW, y - rowH);
            }
            cs.stroke();
        }

        /** QR code, the explanation, the issuer and the date, and the seal over them. */
        void closing() throws IOException {
            float base = M + 14;
            float qr = 104;
            qrCode(verifyUrl, M, base + 22, qr);
            text(M + (qr - width(label("扫码核验", "Scan to verify"), 8)) / 2, base + 8, 8, GREY, label("扫码核验", "Scan to verify"));

            float tx = M + qr + 18;
            float ty = base + qr + 6;
            float textWidth = W - M - 150 - tx;
            for (String l : wrap(label("本文书经电子签名，内容以出具单位业务系统记录为准。可扫描左侧二维码或访问下列网址核验真伪，"
                    + "文件的任何改动都将导致核验失败。", ""), 9, textWidth)) {
                text(tx, ty, 9, BLACK, l);
                ty -= 13;
            }
            for (String l : wrap("This document is digitally signed. Scan the code or open the address below to verify it; "
                    + "any change to the file makes verification fail.", 7.5f, textWidth)) {
                text(tx, ty, 7.5f, GREY, l);
                ty -= 10;
            }
            ty -= 4;
            for (String l : wrap(verifyUrl, 8, textWidth)) {
                text(tx, ty, 8, new float[] { 0.1f, 0.2f, 0.6f }, l);
                ty -= 11;
            }

            // The issuer and date, right-aligned where the seal will cover them, as on paper.
            float sealX = W - M - 62;
            float sealY = base + 70;
            String issuer = chinese() ? c.hall().zh() : c.hall().en();
            String date = chinese() ? DateTimeFormatter.ofPattern("yyyy年M月d日").format(ZonedDateTime.ofInstant(c.issuedAt(), CHINA))
                    : DateTimeFormatter.ISO_LOCAL_DATE.format(ZonedDateTime.ofInstant(c.issuedAt(), CHINA));
            text(W - M - 8 - width(issuer, 11), sealY + 24, 11, BLACK, issuer);
            text(W - M - 8 - width(date, 11), sealY - 22, 11, BLACK, date);
            seal(sealX, sealY, 58);
            // The small print lets a clerk compare a paper copy with the issue record by eye.
            text(M, M - 16, 6.5f, GREY, "Ed25519 key " + metadata.getOrDefault(META_KEY, "-") + " / content SHA-256 "
                    + metadata.getOrDefault(META_CONTENT_SHA256, "-"));
        }

        // ---- the seal -------------------------------------------------------------------

        /**
         * A round official seal: red ring, five-pointed star, the hall's name along the upper
         * arc and the seal's purpose under the star, slightly transparent so the text under it
         * stays legible.
         */
        void seal(float cx, float cy, float r) throws IOException {
            cs.saveGraphicsState();
            PDExtendedGraphicsState gs = new PDExtendedGraphicsState();
            gs.setNonStrokingAlphaConstant(0.82f);
            gs.setStrokingAlphaConstant(0.82f);
            cs.setGraphicsStateParameters(gs);
            cs.setStrokingColor(RED[0], RED[1], RED[2]);
            cs.setNonStrokingColor(RED[0], RED[1], RED[2]);
            cs.setLineWidth(3.2f);
            circle(cx, cy, r - 1.6f);
            cs.stroke();
            star(cx, cy + 2, 15);
            cs.fill();

            String name = chinese() ? c.hall().zh() : c.hall().en().toUpperCase(Locale.ROOT);
            int count = name.codePointCount(0, name.length());
            float size = chinese() ? Math.min(14, 190f / Math.max(count, 1)) : Math.min(9, 260f / Math.max(count, 1));
            float radius = r - 8 - size * 0.85f;
            double span = Math.toRadians(Math.min(240, 28 * count));
            double start = Math.PI / 2 + span / 2;
            double step = count > 1 ? span / (count - 1) : 0;
            int[] cps = name.codePoints().toArray();
            for (int i = 0; i < cps.length; i++) {
                String ch = new String(cps, i, 1);
                double theta = count > 1 ? start - i * step : Math.PI / 2;
                float w = width(ch, size);
                // Glyph x axis along the tangent (clockwise), its up pointing away from the centre.
                float px = (float) (cx + radius * Math.cos(theta) - w / 2 * Math.sin(theta));
                float py = (float) (cy + radius * Math.sin(theta) + w / 2 * Math.cos(theta));
                cs.beginText();
                cs.setFont(font, size);
                cs.setTextMatrix(Matrix.getRotateInstance(theta - Math.PI / 2, px, py));
                cs.showText(printableText(ch));
                cs.endText();
            }
            String purpose = chinese() ? "电子文书专用章" : "E-DOCUMENT SEAL";
            float ps = chinese() ? 8.5f : 6.5f;
            cs.beginText();
            cs.setFont(font, ps);
            cs.newLineAtOffset(cx - width(purpose, ps) / 2, cy - r * 0.64f);
            cs.showText(purpose);
            cs.endText();
            cs.restoreGraphicsState();
        }

        void circle(float cx, float cy, float r) throws IOException {
            float k = 0.5523f * r;
            cs.moveTo(cx + r, cy);
            cs.curveTo(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
            cs.curveTo(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
            cs.curveTo(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
            cs.curveTo(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
            cs.closePath();
        }

        void star(float cx, float cy, float r) throws IOException {
            float inner = r * 0.382f;
            for (int i = 0; i < 10; i++) {
                double a = Math.PI / 2 + i * Math.PI / 5;
                float rr = i % 2 == 0 ? r : inner;
                float x = (float) (cx + rr * Math.cos(a));
                float yy = (float) (cy + rr * Math.sin(a));
                if (i == 0) {
                    cs.moveTo(x, yy);
                } else {
                    cs.lineTo(x, yy);
                }
            }
            cs.closePath();
        }

        // ---- the QR code ----------------------------------------------------------------

        void qrCode(String content, float x, float yBottom, float size) throws IOException {
            ByteMatrix m;
            try {
                Map<EncodeHintType, Object> hints = new EnumMap<>(EncodeHintType.class);
                hints.put(EncodeHintType.CHARACTER_SET, "UTF-8");
                QRCode code = Encoder.encode(content, ErrorCorrectionLevel.M, hints);
                m = code.getMatrix();
            } catch (WriterException e) {
                throw new IOException("the verification address does not fit in a QR code: " + e.getMessage(), e);
            }
            int quiet = 2;
            float module = size / (m.getWidth() + 2 * quiet);
            cs.setNonStrokingColor(0f, 0f, 0f);
            for (int row = 0; row < m.getHeight(); row++) {
                for (int col = 0; col < m.getWidth(); col++) {
                    if (m.get(col, row) == 1) {
                        cs.addRect(x + (col + quiet) * module, yBottom + size - (row + quiet + 1) * module, module, module);
                    }
                }
            }
            cs.fill();
        }

        // ---- text -----------------------------------------------------------------------

        void text(float x, float yy, float size, float[] rgb, String s) throws IOException {
            String t = printableText(s);
            if (t.isEmpty()) {
                return;
            }
            cs.setNonStrokingColor(rgb[0], rgb[1], rgb[2]);
            cs.beginText();
            cs.setFont(font, size);
            cs.newLineAtOffset(x, yy);
            cs.showText(t);
            cs.endText();
        }

        void rule(float yy, float width, float[] rgb) throws IOException {
            cs.setStrokingColor(rgb[0], rgb[1], rgb[2]);
            cs.setLineWidth(width);
            cs.moveTo(M, yy);
            cs.lineTo(W - M, yy);
            cs.stroke();
        }

        float width(String s, float size) throws IOException {
            return font.getStringWidth(printableText(s)) / 1000 * size;
        }

        /** Breaks text to fit a width: anywhere between Chinese characters, at spaces in Latin text. */
        List<String> wrap(String s, float size, float maxWidth) throws IOException {
            List<String> out = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            int lastSpace = -1;
            for (int i = 0; i < s.length();) {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                line.appendCodePoint(cp);
                if (cp == ' ') {
                    lastSpace = line.length() - 1;
                }
                // Closing punctuation never starts a line (kinsoku): it may stick out a little instead.
                boolean closing = "，。；：、）」』》！？,.;:)".indexOf(cp) >= 0;
                if (!closing && width(line.toString(), size) > maxWidth && line.length() > 1) {
                    String rest;
                    if (cp != ' ' && cp < 0x2E80 && lastSpace > 0) {
                        rest = line.substring(lastSpace + 1);
                        line.setLength(lastSpace);
                    } else {
                        rest = new String(Character.toChars(cp));
                        line.setLength(line.length() - rest.length());
                    }
                    out.add(line.toString().strip());
                    line = new StringBuilder(rest.stripLeading());
                    lastSpace = -1;
                }
            }
            if (line.length() > 0 || out.isEmpty()) {
                out.add(line.toString().strip());
            }
            return out;
        }

        /**
         * The text as the font can show it: characters it has no glyph for become '?', and
         * with the ASCII fallback font everything outside printable ASCII is dropped.
         */
        String printableText(String s) {
            if (s == null) {
                return "";
            }
            StringBuilder b = new StringBuilder(s.length());
            s.codePoints().forEach(cp -> {
                if (!chinese()) {
                    if (cp >= 0x20 && cp < 0x7F) {
                        b.append((char) cp);
                    }
                    return;
                }
                boolean ok = printable.computeIfAbsent(cp, k -> {
                    try {
                        font.encode(new String(Character.toChars(k)));
                        return true;
                    } catch (IOException | IllegalArgumentException e) {
                        return false;
                    }
                });
                b.appendCodePoint(ok ? cp : '?');
            });
            return chinese() ? b.toString() : b.toString().replaceAll("\\s+", " ").strip();
        }

        String label(String zh, String en) {
            return chinese() ? zh : en;
        }

        String both(LocalizedText t) {
            return chinese() ? t.zh() + " " + t.en() : t.en();
        }

        String issuedText() {
            ZonedDateTime z = ZonedDateTime.ofInstant(c.issuedAt(), CHINA);
            return chinese() ? DateTimeFormatter.ofPattern("yyyy年M月d日 HH:mm:ss（北京时间）").format(z)
                    : DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'Beijing time'").format(z);
        }
    }
}
