package org.budayang.sim.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An ESC/POS thermal receipt printer. It interprets what a receipt needs and records what ends
 * up on paper, one receipt per cut, so a test can read a slip the way a citizen would:
 *
 * <ul>
 * <li>{@code ESC @} (1B 40): initialise (modes back to default, unprinted text and the stored
 * QR code dropped; what is printed stays on the paper);</li>
 * <li>text, GB18030, printed as a line by {@code LF} (0A); {@code CR} (0D) is ignored;</li>
 * <li>{@code ESC E n} (1B 45 n) bold when bit 0 of n is set; {@code ESC a n} (1B 61 n) align 0/48
 * left, 1/49 centre, 2/50 right. A line takes the style in force at its first character;</li>
 * <li>{@code ESC d n} (1B 64 n): print and feed n lines, i.e. n line feeds;</li>
 * <li>{@code GS ( k pL pH cn fn …} (1D 28 6B): QR code (cn 31): fn 41 model (n1 31/32/33 = model
 * 1/2/micro), fn 43 module size, fn 45 error correction (30..33 = L M Q H), fn 50 store (m 30,
 * data = pL + 256 pH − 3 bytes), fn 51 print (prints the stored symbol; nothing if none). Other
 * symbols and functions are skipped by their length;</li>
 * <li>{@code GS V m} (1D 56 m, m 00/30 full, 01/31 partial) and {@code GS V m n} (m 41/42/61/62/67/68,
 * feed and cut): cut. Unfinished text is printed first. Blank lines at the top and bottom of a
 * slip are margin and are not kept; a slip with nothing on it is not kept;</li>
 * <li>{@code DLE EOT n} (10 04 n), real-time status, answered with one byte (below);
 * {@code DLE ENQ n} and {@code DLE DC4} are taken off the line and ignored;</li>
 * <li>a few common one-parameter commands (ESC ! - 2 3 J M t G { SP, GS ! B h w H f, FS & . ! -
 * C) are skipped by their length; any other ESC/GS/FS command by its two bytes (listed in
 * {@code unknown}).</li>
 * </ul>
 *
 * Status bytes (ESC/POS real-time status; bits 1 and 4 are always 1, bits 0 and 7 always 0):
 * <pre>
 * n=1 printer:   bit 3 offline (paper out)          ok 0x12, out 0x1A
 * n=2 offline:   bit 5 printing stopped, paper end   ok 0x12, out 0x32
 * n=3 error:     no error bits                       0x12
 * n=4 paper:     bits 2+3 near end, bits 5+6 end     ok 0x12, low 0x1E, out 0x72
 * </pre>
 * Out of paper, the printer prints nothing (the data is lost) but still answers the status.
 * <p>
 * {@code state()}: {@code printed}, the last {@value #KEEP} receipts, each with {@code lines}
 * (text), {@code styles} ({@code left|center|right}, {@code bold}), {@code qr} (data) and
 * {@code text} (every line followed by LF, a QR code as the line {@code [QR] <data>}, where it
 * stands); {@code receipts}, how many were cut; {@code pending}, the slip not cut yet.
 * {@code reply=corrupt} inverts the status byte, so its fixed bits are wrong.
 */
final class EscPosDevice extends SimulatorBase {
    private static final Charset GB18030 = Charset.forName("GB18030");
    static final int ESC = 0x1B;
    static final int GS = 0x1D;
    static final int FS = 0x1C;
    static final int DLE = 0x10;
    /** The last receipts kept in state(); older ones are only counted. */
    static final int KEEP = 100;
    private static final String[] ALIGN = { "left", "center", "right" };

    enum Paper {
        OK, LOW, OUT
    }

    private final Pending in = new Pending();
    private final Deque<Map<String, Object>> printed = new ArrayDeque<>();
    private final Deque<String> unknown = new ArrayDeque<>();
    private long receipts;
    private Paper paper = Paper.OK;

    // modes
    private boolean bold;
    private int align;
    private int qrModel;
    private int qrSize;
    private int qrCorrection;
    private byte[] qrData;

    // the slip being printed
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private String lineStyle;
    private final List<String> lines = new ArrayList<>();
    private final List<String> styles = new ArrayList<>();
    private final List<String> qr = new ArrayList<>();
    /** Lines and QR codes in paper order, a QR code as the line {@code [QR] <data>}. */
    private final List<String> text = new ArrayList<>();

    EscPosDevice(Consumer<byte[]> toDriver) {
        super(Simulators.EscPos.TYPE, toDriver);
        initialise();
    }

    private void initialise() {
        bold = false;
        align = 0;
        qrModel = 2;
        qrSize = 3;
        qrCorrection = 0x30;
        qrData = null;
        line.reset();
        lineStyle = null;
    }

    @Override
    void accept(byte[] bytes) {
        in.append(bytes);
        int used;
        while (in.size() > 0 && (used = step()) > 0) {
            in.drop(used);
        }
    }

    /** Interprets the command at the start of the pending bytes; returns its length, 0 if incomplete. */
    private int step() {
        int b = in.at(0);
        switch (b) {
            case ESC:
                return escape();
            case GS:
                return group();
            case FS:
                return in.size() < 2 ? 0 : skip(oneParameter(in.at(1), "&.!-C", "!-C"));
            case DLE:
                return realTime();
            case 0x0A:
                feed(1);
                return 1;
            default:
                if (b >= 0x20 && paper != Paper.OUT) {
                    if (lineStyle == null) {
                        lineStyle = style();
                    }
                    line.write(b); // GB18030 never uses bytes below 0x30 inside a character
                }
                return 1; // other control bytes (CR, HT, …) print nothing
        }
    }

    private int escape() {
        if (in.size() < 2) {
            return 0;
        }
        int c = in.at(1);
        if (c == '@') {
            initialise();
            return 2;
        }
        if (c == 'E' || c == 'a' || c == 'd') {
            if (in.size() < 3) {
                return 0;
            }
            int n = in.at(2);
            if (c == 'E') {
                bold = (n & 1) == 1;
            } else if (c == 'a') {
                align = n >= '0' ? n - '0' : n;
                align = align <= 2 ? align : 0;
            } else {
                feed(n);
            }
            return 3;
        }
        return skip(oneParameter(c, "!-23JMtG{ ", "!-3JMtG{ "));
    }

    private int group() {
        if (in.size() < 2) {
            return 0;
        }
        int c = in.at(1);
        if (c == '(') {
            if (in.size() < 5) {
                return 0;
            }
            int length = in.at(3) | in.at(4) << 8;
            if (in.size() < 5 + length) {
                return 0;
            }
            if (in.at(2) == 'k' && length >= 2 && in.at(5) == 0x31) {
                qrCode(in.at(6), in.copy(7, length - 2));
            } else {
                note(in.copy(0, 3));
            }
            return 5 + length;
        }
        if (c == 'V') {
            if (in.size() < 3) {
                return 0;
            }
            int m = in.at(2);
            boolean withFeed = m == 65 || m == 66 || m == 97 || m == 98 || m == 103 || m == 104;
            if (withFeed && in.size() < 4) {
                return 0;
            }
            cut();
            return withFeed ? 4 : 3;
        }
        return skip(oneParameter(c, "!BhwHf", "!BhwHf"));
    }

    /**
     * The length of a command this printer skips: 3 for one of the known one-parameter ones, 2 for
     * a known one without (and for anything unknown, which is listed).
     */
    private int oneParameter(int c, String known, String withParameter) {
        if (known.indexOf(c) < 0) {
            note(in.copy(0, 2));
            return 2;
        }
        return withParameter.indexOf(c) >= 0 ? 3 : 2;
    }

    private int skip(int length) {
        return in.size() < length ? 0 : length;
    }

    private int realTime() {
        if (in.size() < 2) {
            return 0;
        }
        int c = in.at(1);
        if (c == 0x04 || c == 0x05) {
            if (in.size() < 3) {
                return 0;
            }
            if (c == 0x04) {
                status(in.at(2));
            }
            return 3;
        }
        if (c == 0x14) {
            return skip(5);
        }
        return 1;
    }

    private void status(int n) {
        int s = 0x12;
        switch (n) {
            case 1 -> s |= paper == Paper.OUT ? 0x08 : 0;
            case 2 -> s |= paper == Paper.OUT ? 0x20 : 0;
            case 3 -> {
            }
            case 4 -> s |= paper == Paper.OUT ? 0x60 : paper == Paper.LOW ? 0x0C : 0;
            default -> {
                return; // not a status a printer knows: no answer
            }
        }
        request();
        reply(new byte[] { (byte) s });
    }

    private void qrCode(int function, byte[] parameters) {
        switch (function) {
            case 0x41 -> qrModel = parameters.length > 0 ? parameters[0] - 0x30 : qrModel;
            case 0x43 -> qrSize = parameters.length > 0 ? parameters[0] & 0xFF : qrSize;
            case 0x45 -> qrCorrection = parameters.length > 0 ? parameters[0] & 0xFF : qrCorrection;
            case 0x50 -> qrData = parameters.length > 0 ? java.util.Arrays.copyOfRange(parameters, 1, parameters.length) : null;
            case 0x51 -> {
                if (qrData != null && paper != Paper.OUT) {
                    flushLine();
                    String data = new String(qrData, StandardCharsets.UTF_8);
                    qr.add(data);
                    text.add("[QR] " + data);
                }
            }
            default -> {
                // size information and the like: nothing on paper
            }
        }
    }

    private String style() {
        return ALIGN[align] + (bold ? " bold" : "");
    }

    private void feed(int n) {
        if (paper == Paper.OUT) {
            line.reset();
            return;
        }
        for (int i = 0; i < n; i++) {
            if (lineStyle == null) {
                lineStyle = style();
            }
            String s = new String(line.toByteArray(), GB18030);
            lines.add(s);
            styles.add(lineStyle);
            text.add(s);
            line.reset();
            lineStyle = null;
        }
    }

    /** Prints unfinished text as a line (before a QR code or a cut). */
    private void flushLine() {
        if (line.size() > 0) {
            feed(1);
        }
    }

    private void cut() {
        if (paper == Paper.OUT) {
            return;
        }
        flushLine();
        trimMargins();
        if (!lines.isEmpty() || !qr.isEmpty()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("lines", List.copyOf(lines));
            r.put("styles", List.copyOf(styles));
            r.put("qr", List.copyOf(qr));
            r.put("text", asText(text));
            printed.addLast(java.util.Collections.unmodifiableMap(r));
            receipts++;
            if (printed.size() > KEEP) {
                printed.removeFirst();
            }
        }
        lines.clear();
        styles.clear();
        qr.clear();
        text.clear();
    }

    /** Each line followed by a line feed, as the core.device notes suggest for comparing receipts. */
    private static String asText(List<String> lines) {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    private void trimMargins() {
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
            styles.remove(styles.size() - 1);
        }
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
            styles.remove(0);
        }
        while (!text.isEmpty() && text.get(text.size() - 1).isBlank()) {
            text.remove(text.size() - 1);
        }
        while (!text.isEmpty() && text.get(0).isBlank()) {
            text.remove(0);
        }
    }

    private void note(byte[] command) {
        StringBuilder s = new StringBuilder();
        for (byte b : command) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        unknown.addLast(s.toString());
        if (unknown.size() > 10) {
            unknown.removeFirst();
        }
    }

    @Override
    byte[] corrupt(byte[] reply) {
        byte[] c = reply.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] ^= (byte) 0xFF;
        }
        return c;
    }

    @Override
    boolean behaviour(String key, String value) {
        switch (key) {
            case "paper" -> {
                try {
                    paper = Paper.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw bad(key, "ok, low or out", value);
                }
            }
            case "printed" -> {
                if (!value.trim().equals("clear")) {
                    throw bad(key, "clear", value);
                }
                printed.clear();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    String ownBehaviours() {
        return "paper=ok|low|out, printed=clear";
    }

    @Override
    void ownState(Map<String, Object> state) {
        state.put("paper", paper.name().toLowerCase(java.util.Locale.ROOT));
        state.put("printed", List.copyOf(printed));
        state.put("receipts", receipts);
        List<String> pending = new ArrayList<>(text);
        if (line.size() > 0) {
            pending.add(new String(line.toByteArray(), GB18030));
        }
        state.put("pending", asText(pending));
        state.put("qrModel", qrModel);
        state.put("qrSize", qrSize);
        state.put("qrCorrection", "LMQH".charAt(Math.min(3, Math.max(0, qrCorrection - 0x30))) + "");
        state.put("unknown", List.copyOf(unknown));
    }

    @Override
    String summary() {
        return "paper " + paper.name().toLowerCase(java.util.Locale.ROOT) + ", " + receipts + " receipt(s) printed";
    }
}
