package org.budayang.core.docs.internal;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.budayang.api.docs.Verification;

/**
 * Renders, signs and checks documents; no I/O besides the font. Two Ed25519 signatures:
 * <ul>
 * <li>the <em>content signature</em> over {@link Content#canonical()}, embedded in the PDF's
 * document information (with the code, key id and content hash) for anyone who wants to check
 * the statements offline;
 * <li>the <em>issue record signature</em> over {@link IssueRecord#statement()}, which binds
 * the SHA-256 of the exact PDF bytes. Verification recomputes the uploaded file's hash and
 * checks it against the signed record, so changing any byte of the file fails.
 * </ul>
 */
final class Sealer {
    /** 20 characters of Crockford base32 = 100 random bits: codes cannot be guessed or enumerated. */
    static final Pattern CODE = Pattern.compile("[0-9A-HJKMNP-TV-Z]{20}");
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    record Sealed(IssueRecord record, byte[] pdf) {
    }

    private final DocumentKeys keys;
    private final PdfRenderer renderer;
    private final String publicBase;

    Sealer(DocumentKeys keys, PdfRenderer renderer, String publicBase) {
        this.keys = keys;
        this.renderer = renderer;
        this.publicBase = publicBase.replaceAll("/+$", "");
    }

    static String newCode() {
        char[] c = new char[20];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    String verifyUrl(String code) {
        return publicBase + "/verify/" + code;
    }

    Sealed seal(Content c, String terminal) throws IOException {
        byte[] canonical = DocumentKeys.utf8(c.canonical());
        String contentSha = DocumentKeys.sha256(canonical);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(PdfRenderer.META_CODE, c.code());
        meta.put(PdfRenderer.META_KEY, keys.signingKeyId());
        meta.put(PdfRenderer.META_CONTENT_SHA256, contentSha);
        meta.put(PdfRenderer.META_CONTENT_SIGNATURE, Base64.getEncoder().encodeToString(keys.sign(canonical)));
        // The signed statements themselves, so that the content signature can be checked from the file alone.
        meta.put(PdfRenderer.META_CONTENT, Base64.getEncoder().encodeToString(canonical));
        meta.put(PdfRenderer.META_VERIFY_URL, verifyUrl(c.code()));
        byte[] pdf = renderer.render(c, verifyUrl(c.code()), meta);
        IssueRecord unsigned = new IssueRecord(c.code(), c.item(), c.department(), c.title(), c.hallId(), c.hall(), terminal,
                c.holderMasked(), c.holderId(), c.issuedAt(), contentSha, DocumentKeys.sha256(pdf), pdf.length,
                keys.signingKeyId(), null);
        byte[] sig = keys.sign(DocumentKeys.utf8(unsigned.statement()));
        return new Sealed(unsigned.signed(Base64.getEncoder().encodeToString(sig)), pdf);
    }

    /** Checks a stored record and, if given, that the file is byte for byte the one issued. */
    Verification verify(IssueRecord r, byte[] pdf) {
        String problem;
        try {
            problem = keys.check(r.keyId(), DocumentKeys.utf8(r.statement()), Base64.getDecoder().decode(r.signature()));
        } catch (IllegalArgumentException e) {
            problem = "the signature of its issue record is malformed";
        }
        if (problem == null && pdf != null) {
            byte[] expected = java.util.HexFormat.of().parseHex(r.pdfSha256());
            if (pdf.length != r.pdfSize() || !MessageDigest.isEqual(expected,
                    java.util.HexFormat.of().parseHex(DocumentKeys.sha256(pdf)))) {
                problem = "the file is not the document issued under this code: its content differs (altered, or another file)";
            }
        }
        return new Verification(r.code(), problem == null, problem, r.title(), r.issuedAt(), r.hall(), r.holder(),
                r.holderId());
    }
}
