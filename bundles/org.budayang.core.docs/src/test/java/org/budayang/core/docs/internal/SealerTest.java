package org.budayang.core.docs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import javax.imageio.ImageIO;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.budayang.api.catalogue.LocalizedText;
import org.budayang.api.docs.DocumentData;
import org.budayang.api.docs.Verification;
import org.junit.Test;

/** A sealed PDF verifies, a tampered copy does not; the PDF reopens and says what it should. */
public class SealerTest {
    static final Path OUT = Path.of("target", "rendered");

    static Content content(String code) {
        DocumentData data = new DocumentData(new LocalizedText("住房公积金缴存证明", "Housing provident fund deposit certificate"),
                List.of(new DocumentData.Line(new LocalizedText("单位名称", "Employer"), "深圳市南山区云帆科技有限公司"),
                        new DocumentData.Line(new LocalizedText("账户状态", "Account status"), "正常缴存 Active"),
                        new DocumentData.Line(new LocalizedText("账户余额", "Balance"), "86,412.37 元")),
                List.of(new DocumentData.Table(new LocalizedText("近12个月缴存明细", "Deposits in the last 12 months"),
                        List.of(new LocalizedText("缴存年月", "Month"), new LocalizedText("单位缴存", "Employer"),
                                new LocalizedText("个人缴存", "Employee"), new LocalizedText("合计", "Total")),
                        List.of(List.of("2026-09", "1,440.00", "1,440.00", "2,880.00"),
                                List.of("2026-10", "1,440.00", "1,440.00", "2,880.00")))));
        return new Content(code, "000183001002", "housingfund", new LocalizedText("公积金", "Housing provident fund"),
                data.title(), "demo", new LocalizedText("不打烊示范大厅", "Budayang Demo Hall"), "张三", "440305********1234",
                Instant.parse("2026-11-22T06:30:05Z"), data);
    }

    static DocumentKeys keys() throws Exception {
        return new DocumentKeys(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate(), List.of());
    }

    /** The font the platform ships, unpacked as the service does: no system font needed. */
    static Path font() {
        return FontLocator.shipped(Path.of("target", "font"));
    }

    @Test
    public void aSealedPdfVerifiesAndATamperedCopyDoesNot() throws Exception {
        Sealer sealer = new Sealer(keys(), new PdfRenderer(font()), "http://hall.example/");
        String code = Sealer.newCode();
        Sealer.Sealed s = sealer.seal(content(code), "demo-01");

        Verification ok = sealer.verify(s.record(), s.pdf());
        assertTrue(ok.reason(), ok.genuine());
        assertNull(ok.reason());
        assertEquals("张*", ok.holder());
        assertEquals("440305********1234", ok.holderId());
        assertTrue("the record alone checks out too", sealer.verify(s.record(), null).genuine());

        // One byte in the middle of the file changed: not genuine.
        byte[] tampered = s.pdf().clone();
        tampered[tampered.length / 2] ^= 0x01;
        Verification bad = sealer.verify(s.record(), tampered);
        assertFalse(bad.genuine());
        assertTrue(bad.reason(), bad.reason().contains("differs"));
        // A byte more or less, too.
        byte[] longer = java.util.Arrays.copyOf(s.pdf(), s.pdf().length + 1);
        assertFalse(sealer.verify(s.record(), longer).genuine());

        // A database row edited without the key (another holder) fails on its signature.
        IssueRecord r = s.record();
        IssueRecord edited = new IssueRecord(r.code(), r.item(), r.department(), r.title(), r.hallId(), r.hall(), r.terminal(),
                "李*", r.holderId(), r.issuedAt(), r.contentSha256(), r.pdfSha256(), r.pdfSize(), r.keyId(), r.signature());
        Verification forged = sealer.verify(edited, s.pdf());
        assertFalse(forged.genuine());
        assertTrue(forged.reason(), forged.reason().contains("altered"));

        // Another node's key is not trusted unless listed.
        Sealer other = new Sealer(keys(), new PdfRenderer(font()), "http://hall.example");
        Verification foreign = other.verify(r, s.pdf());
        assertFalse(foreign.genuine());
        assertTrue(foreign.reason(), foreign.reason().contains("does not trust"));
    }

    @Test
    public void thePdfReopensWithTitleCodeQrAddressAndAnEmbeddedContentSignature() throws Exception {
        DocumentKeys keys = keys();
        Sealer sealer = new Sealer(keys, new PdfRenderer(font()), "http://hall.example");
        String code = Sealer.newCode();
        Sealer.Sealed s = sealer.seal(content(code), "demo-01");
        assertTrue(new String(s.pdf(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII).startsWith("%PDF-"));
        try (PDDocument doc = PDDocument.load(s.pdf())) {
            String text = new PDFTextStripper().getText(doc);
            assertTrue(text, text.contains("住房公积金缴存证明"));
            assertTrue(text, text.contains("Housing provident fund deposit certificate"));
            assertTrue(text, text.contains(code));
            assertTrue(text, text.contains("440305********1234"));
            assertTrue(text, text.contains("深圳市南山区云帆科技有限公司"));
            assertTrue(text, text.contains("http://hall.example/verify/" + code));
            assertTrue(text, text.contains("2026年11月22日 14:30:05"));
            assertFalse("the full ID number is never printed", text.contains("440305198808081234"));

            PDDocumentInformation info = doc.getDocumentInformation();
            assertEquals(code, info.getCustomMetadataValue(PdfRenderer.META_CODE));
            assertEquals(keys.signingKeyId(), info.getCustomMetadataValue(PdfRenderer.META_KEY));
            byte[] canonical = Base64.getDecoder().decode(info.getCustomMetadataValue(PdfRenderer.META_CONTENT));
            assertEquals(content(code).canonical(), new String(canonical, java.nio.charset.StandardCharsets.UTF_8));
            // Anyone with the public key checks the embedded content signature from the file alone.
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(keys.signingPublicKey()))));
            v.update(canonical);
            assertTrue(v.verify(Base64.getDecoder().decode(info.getCustomMetadataValue(PdfRenderer.META_CONTENT_SIGNATURE))));
            assertEquals(DocumentKeys.sha256(canonical), info.getCustomMetadataValue(PdfRenderer.META_CONTENT_SHA256));

            // Page 1 as an image, to look at (target/rendered/sealed-document.png).
            BufferedImage img = new PDFRenderer(doc).renderImageWithDPI(0, 110);
            Files.createDirectories(OUT);
            ImageIO.write(img, "png", OUT.resolve("sealed-document.png").toFile());
            Files.write(OUT.resolve("sealed-document.pdf"), s.pdf());
            // The seal is red: plenty of strongly red pixels in the lower right quarter.
            int red = 0;
            for (int y = img.getHeight() / 2; y < img.getHeight(); y++) {
                for (int x = img.getWidth() / 2; x < img.getWidth(); x++) {
                    int rgb = img.getRGB(x, y);
                    int rr = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                    if (rr > 180 && g < 110 && b < 110) {
                        red++;
                    }
                }
            }
            assertTrue("seal pixels: " + red, red > 1500);
        }
    }

    @Test
    public void withoutAChineseFontTheDocumentStillRendersInEnglish() throws Exception {
        Sealer sealer = new Sealer(keys(), new PdfRenderer(null), "http://hall.example");
        String code = Sealer.newCode();
        Sealer.Sealed s = sealer.seal(content(code), "demo-01");
        try (PDDocument doc = PDDocument.load(s.pdf())) {
            String text = new PDFTextStripper().getText(doc);
            assertTrue(text, text.contains("Housing provident fund deposit certificate"));
            assertTrue(text, text.contains(code));
            assertTrue(text, text.contains("86,412.37"));
            Files.createDirectories(OUT);
            ImageIO.write(new PDFRenderer(doc).renderImageWithDPI(0, 80), "png", OUT.resolve("fallback-font.png").toFile());
        }
        assertTrue(sealer.verify(s.record(), s.pdf()).genuine());
    }

    @Test
    public void codesAreRandomAndWellFormed() {
        String a = Sealer.newCode();
        assertTrue(a, Sealer.CODE.matcher(a).matches());
        assertFalse(a.equals(Sealer.newCode()));
    }

    @Test
    public void keysAreGeneratedOnceAndConfiguredKeysAreUsed() throws Exception {
        Path dir = Files.createTempDirectory("docs-keys");
        Path file = dir.resolve("keys/documents-ed25519.key");
        DocumentKeys first = DocumentKeys.load("", new String[0], file);
        DocumentKeys again = DocumentKeys.load("", new String[0], file);
        assertEquals(first.signingKeyId(), again.signingKeyId());

        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String pkcs8 = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
        DocumentKeys configured = DocumentKeys.load(pkcs8, new String[] { first.signingPublicKey() }, file);
        assertEquals("the public key derived from the private one", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                configured.signingPublicKey());
        // A rotated-away key in verify.keys still verifies what it signed.
        byte[] msg = "statement".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertNull(configured.check(first.signingKeyId(), msg, first.sign(msg)));
        assertNotNull(again.check(configured.signingKeyId(), msg, configured.sign(msg)));
        try {
            DocumentKeys.load("bm90IGEga2V5", new String[0], file);
            throw new AssertionError("a broken key must not load");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("signing.key"));
        }
    }

    @Test
    public void namesAreMaskedAndValuesCannotForgeFields() {
        assertEquals("张*", Content.maskName("张三"));
        assertEquals("欧***", Content.maskName("欧阳娜娜"));
        StringBuilder b = new StringBuilder();
        Content.field(b, "line", "a|b", "c\nholder=x");
        assertEquals("line=a\\|b|c\\nholder=x\n", b.toString());
    }
}
