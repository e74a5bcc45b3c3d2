package org.budayang.core.docs.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import javax.sql.DataSource;

import org.budayang.api.cases.BackOffice;
import org.budayang.api.catalogue.Catalogue;
import org.budayang.api.catalogue.Department;
import org.budayang.api.catalogue.Item;
import org.budayang.api.catalogue.ItemKind;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.catalogue.Material;
import org.budayang.api.catalogue.Situation;
import org.budayang.api.docs.DocumentData;
import org.budayang.api.docs.DocumentException;
import org.budayang.api.docs.DocumentRequest;
import org.budayang.api.docs.DocumentService;
import org.budayang.api.docs.RecordSource;
import org.budayang.api.docs.SealedDocument;
import org.budayang.api.docs.Verification;
import org.budayang.api.hall.Hall;
import org.budayang.api.hall.HallService;
import org.budayang.api.hall.Menu;
import org.budayang.api.hall.MenuService;
import org.budayang.api.hall.Terminal;
import org.budayang.api.identity.CitizenSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import com.fasterxml.jackson.databind.ObjectMapper;
/**
 * Issues sealed documents for query and certificate items and verifies them. The PDF itself
 * is not kept (it is the citizen's, with their data); the database keeps the signed issue
 * record, which is all verification needs, so {@code /verify/<code>} works after a restart.
 */
// public.base.url is the node's (etc/org.budayang.node.cfg), shared with the web API's receipts.
@Component(configurationPid = { "org.budayang.docs", "org.budayang.node" })
public final class DocumentServiceImpl implements DocumentService {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentServiceImpl.class);

    private final DataSource db;
    private final MenuService menus;
    private final HallService halls;
    private final Sealer sealer;
    private final PdfRenderer renderer;
    private final Catalogue catalogue;
    /** Per department, its record sources best ranked first (a department's own before the connector). */
    private final Map<String, ConcurrentSkipListMap<ServiceReference<?>, RecordSource>> sources = new ConcurrentHashMap<>();

    @Activate
    public DocumentServiceImpl(@Reference(target = "(budayang.store=main)") DataSource db, @Reference MenuService menus,
            @Reference HallService halls, @Reference Catalogue catalogue, DocsConfig config, BundleContext ctx) throws IOException {
        this.catalogue = catalogue;
        this.db = db;
        this.menus = menus;
        this.halls = halls;
        // PDFBox writes a font cache the first time it maps a standard font (only the ASCII
        // fallback does): keep it in Karaf's data folder, not in the service user's home.
        if (System.getProperty("pdfbox.fontcache") == null && System.getProperty("karaf.data") != null) {
            System.setProperty("pdfbox.fontcache", Path.of(System.getProperty("karaf.data"), "budayang").toString());
        }
        DocumentKeys keys = DocumentKeys.load(config.signing_key(), config.verify_keys(),
                Path.of(System.getProperty("karaf.data", "data"), "budayang", "keys", "documents-ed25519.key"));
        Path font = FontLocator.find(config.font_path(), ctx.getDataFile("fonts").toPath()).orElse(null);
        if (font == null) {
            // Only a font.path that names no readable file gets here; the shipped font is always there.
            LOG.warn("font.path {} in etc/org.budayang.docs.cfg is not readable: sealed documents fall back to Helvetica "
                    + "and print only their English text. Leave it empty for the shipped WenQuanYi Micro Hei.",
                    config.font_path());
        } else {
            LOG.info("Sealed documents use the font {}", font);
        }
        this.renderer = new PdfRenderer(font);
        this.sealer = new Sealer(keys, renderer, config.public_base_url());
        LOG.info("Sealed documents are signed with Ed25519 key {} (public key {})", keys.signingKeyId(), keys.signingPublicKey());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRecordSource(ServiceReference<RecordSource> ref, RecordSource source) {
        Object dept = ref.getProperty(RecordSource.DEPARTMENT);
        if (dept != null) {
            sources.computeIfAbsent(dept.toString(), d -> new ConcurrentSkipListMap<>(Comparator.reverseOrder())).put(ref, source);
        }
    }

    void removeRecordSource(ServiceReference<RecordSource> ref) {
        sources.values().forEach(m -> m.remove(ref));
    }

    @Override
    public SealedDocument issue(DocumentRequest request) {
        CitizenSession session = request.session();
        Menu menu = menus.menu(session.terminal()).orElseThrow(() -> new DocumentException(DocumentException.Kind.NOT_FOUND,
                "no terminal '" + session.terminal() + "'", null));
        Menu.Section section = menu.departments().stream()
                .filter(s -> s.items().stream().anyMatch(i -> i.code().equals(request.item())))
                .findFirst()
                .orElseThrow(() -> new DocumentException(DocumentException.Kind.NOT_FOUND,
                        "item '" + request.item() + "' is not offered at terminal " + session.terminal(), null));
        Department department = section.department();
        Item item = section.items().stream().filter(i -> i.code().equals(request.item())).findFirst().orElseThrow();
        if (item.kind() != ItemKind.QUERY && item.kind() != ItemKind.CERTIFICATE) {
            throw new DocumentException(DocumentException.Kind.NOT_A_DOCUMENT, "item " + item.code() + " is "
                    + item.kind().name().toLowerCase(Locale.ROOT) + "; only query and certificate items produce documents", null);
        }
        var ranked = sources.get(item.department());
        var best = ranked == null ? null : ranked.firstEntry();
        RecordSource source = best == null ? null : best.getValue();
        if (source == null) {
            throw new DocumentException(DocumentException.Kind.UNAVAILABLE,
                    "no back office is configured for " + item.department(), null);
        }
        DocumentData data;
        try {
            data = source.records(session.person(), item.code()).orElseThrow(() -> new DocumentException(
                    DocumentException.Kind.NO_RECORDS, "the " + item.department() + " department holds no records of you for item "
                            + request.item(), null));
        } catch (BackOffice.Unavailable e) {
            LOG.warn("Document for item {} at terminal {}: the {} back office is unavailable: {}", item.code(),
                    session.terminal(), item.department(), e.getMessage());
            throw new DocumentException(DocumentException.Kind.UNAVAILABLE, e.getMessage(), e);
        }
        Terminal terminal = halls.terminal(session.terminal()).orElseThrow(() -> new DocumentException(
                DocumentException.Kind.NOT_FOUND, "no terminal '" + session.terminal() + "'", null));
        Hall hall = halls.hall(terminal.hall()).orElseThrow(() -> new IllegalStateException("terminal without hall"));
        LocalizedText title = data.title() != null ? data.title() : item.name();
        Content content = new Content(Sealer.newCode(), item.code(), item.department(), department.name(), title,
                hall.id(), hall.name(), session.person().name(), session.person().id().masked(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), data);
        Sealer.Sealed sealed;
        try {
            sealed = sealer.seal(content, terminal.id());
        } catch (IOException e) {
            throw new IllegalStateException("rendering the document failed: " + e.getMessage(), e);
        }
        store(sealed.record());
        LOG.info("Document {} ({}) issued for {} at terminal {}", content.code(), item.code(), session.person().id(),
                terminal.id());
        return new SealedDocument(content.code(), title.zh(), content.issuedAt(), sealed.pdf());
    }

    @Override
    public Optional<Verification> verify(String code, byte[] pdf) {
        String normalized = code == null ? "" : code.strip().toUpperCase(Locale.ROOT);
        if (!Sealer.CODE.matcher(normalized).matches()) {
            return Optional.empty();
        }
        return load(normalized).map(r -> sealer.verify(r, pdf));
    }

    @Override
    public byte[] blankForm(String itemCode, String situationCode) {
        Item item = catalogue.item(itemCode).orElseThrow(() -> new DocumentException(DocumentException.Kind.NOT_FOUND,
                "no item '" + itemCode + "'", null));
        List<Material> materials = item.materials();
        LocalizedText situationName = null;
        if (situationCode != null) {
            Situation s = item.situations().stream().filter(x -> x.code().equals(situationCode)).findFirst()
                    .orElseThrow(() -> new DocumentException(DocumentException.Kind.NOT_FOUND, "item " + itemCode
                            + " has no situation '" + situationCode + "'", null));
            materials = item.materials().stream().filter(m -> s.materials().contains(m.code())).toList();
            situationName = s.name();
        }
        List<List<String>> rows = new ArrayList<>();
        for (Material m : materials) {
            rows.add(List.of(m.name().zh() + " " + m.name().en(), m.paper() ? "是 Yes" : "否 No", "[   ]"));
        }
        List<DocumentData.Line> lines = new ArrayList<>();
        if (situationName != null) {
            lines.add(new DocumentData.Line(new LocalizedText("办理情形", "Situation"), situationName.zh() + " / " + situationName.en()));
        }
        lines.add(new DocumentData.Line(new LocalizedText("申请人姓名", "Applicant"), BLANK));
        lines.add(new DocumentData.Line(new LocalizedText("证件号码", "ID number"), BLANK));
        catalogue.formSchema(itemCode).ifPresent(schema -> {
            try {
                var props = JSON.readTree(schema).path("properties");
                props.fieldNames().forEachRemaining(f -> lines.add(
                        new DocumentData.Line(splitTitle(props.path(f).path("title").asText(f)), BLANK)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        List<DocumentData.Table> tables = rows.isEmpty() ? List.of() : List.of(new DocumentData.Table(
                new LocalizedText("需提交的材料", "Materials to bring"),
                List.of(new LocalizedText("材料", "Material"), new LocalizedText("需原件", "Paper original"),
                        new LocalizedText("已备", "Ready")), rows));
        String department = item.department();
        LocalizedText departmentName = catalogue.departments().stream().filter(d -> d.code().equals(department))
                .map(Department::name).findFirst().orElse(new LocalizedText(department, department));
        Content content = new Content(item.code(), item.code(), department, departmentName,
                new LocalizedText(item.name().zh() + " 申请表", item.name().en() + " - application form"),
                "-", new LocalizedText("不打烊", "Budayang"), "", "",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), new DocumentData(null, lines, tables));
        try {
            return renderer.renderBlank(content);
        } catch (IOException e) {
            throw new IllegalStateException("rendering the blank form failed: " + e.getMessage(), e);
        }
    }

    private static final String BLANK = "________________________________________";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Form field titles are written "中文 English": split them for the two-language label. */
    static LocalizedText splitTitle(String title) {
        int cut = 0;
        while (cut < title.length() && !((title.charAt(cut) >= 'A' && title.charAt(cut) <= 'Z')
                || (title.charAt(cut) >= 'a' && title.charAt(cut) <= 'z'))) {
            cut++;
        }
        String zh = title.substring(0, cut).strip();
        String en = title.substring(cut).strip();
        return new LocalizedText(zh.isEmpty() ? title : zh, en.isEmpty() ? title : en);
    }

    // ---- database ---------------------------------------------------------------------------

    private void store(IssueRecord r) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO sealed_document (code, item, department, title_zh, "
                        + "title_en, hall_id, hall_zh, hall_en, terminal, holder_masked, holder_id_masked, issued_at, "
                        + "content_sha256, pdf_sha256, pdf_size, key_id, signature) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setString(i++, r.code());
            ps.setString(i++, r.item());
            ps.setString(i++, r.department());
            ps.setString(i++, r.title().zh());
            ps.setString(i++, r.title().en());
            ps.setString(i++, r.hallId());
            ps.setString(i++, r.hall().zh());
            ps.setString(i++, r.hall().en());
            ps.setString(i++, r.terminal());
            ps.setString(i++, r.holder());
            ps.setString(i++, r.holderId());
            ps.setTimestamp(i++, Timestamp.from(r.issuedAt()), utc());
            ps.setString(i++, r.contentSha256());
            ps.setString(i++, r.pdfSha256());
            ps.setInt(i++, r.pdfSize());
            ps.setString(i++, r.keyId());
            ps.setString(i, r.signature());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }

    /**
     * Timestamps are read and written in UTC: the signed statement has the exact instant, and
     * the JVM's default zone must not shift it between issue and a verification after a move.
     */
    private static Calendar utc() {
        return Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    }

    private Optional<IssueRecord> load(String code) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT code, item, department, title_zh, title_en, hall_id, hall_zh, "
                        + "hall_en, terminal, holder_masked, holder_id_masked, issued_at, content_sha256, pdf_sha256, pdf_size, "
                        + "key_id, signature FROM sealed_document WHERE code = ?")) {
            ps.setString(1, code);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new IssueRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                        new LocalizedText(rs.getString(4), rs.getString(5)), rs.getString(6),
                        new LocalizedText(rs.getString(7), rs.getString(8)), rs.getString(9), rs.getString(10),
                        rs.getString(11), rs.getTimestamp(12, utc()).toInstant(), rs.getString(13), rs.getString(14), rs.getInt(15),
                        rs.getString(16), rs.getString(17)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable: " + e.getMessage(), e);
        }
    }
}
