package org.budayang.core.identity.internal;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.budayang.api.identity.LoginRejected;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

/**
 * The OpenID Connect provider as this platform talks to it: discovery, the authorization
 * request, the code exchange at the token endpoint and the validation of the ID token.
 * <p>
 * JWS signatures, JWKS handling (caching, refetch on an unknown key id) and the standard claim
 * checks are Nimbus JOSE+JWT's: hand-written token verification is where logins get broken.
 * Every HTTP call goes through one {@link HttpClient} with timeouts and no redirects, so a
 * slow or absent provider costs at most the timeout and is reported as
 * {@code provider_unavailable}.
 */
final class OidcProvider {
    private static final Logger LOG = LoggerFactory.getLogger(OidcProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Providers rotate keys and endpoints rarely; one discovery an hour keeps logins fast. */
    static final Duration DISCOVERY_TTL = Duration.ofHours(1);
    /** Asymmetric algorithms only: an HMAC-signed ID token would be keyed with our client secret. */
    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    /** What discovery tells, with the key source built for its JWKS. */
    record Metadata(URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri, Set<JWSAlgorithm> algorithms,
            JWKSource<SecurityContext> keys, Instant fetchedAt) {
    }

    private final String issuer;
    private final String clientId;
    private final String clientSecret;
    private final String redirectUri;
    private final String scope;
    private final Duration timeout;
    private final HttpClient http;
    private final Clock clock;
    private volatile Metadata metadata;

    OidcProvider(String issuer, String clientId, String clientSecret, String redirectUri, String scope,
            Duration timeout, Clock clock) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.redirectUri = redirectUri;
        this.scope = scope;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The provider's metadata, fetched on first use and again after {@link #DISCOVERY_TTL}. */
    Metadata metadata() throws LoginRejected {
        Metadata m = metadata;
        if (m != null && m.fetchedAt().plus(DISCOVERY_TTL).isAfter(clock.instant())) {
            return m;
        }
        synchronized (this) {
            m = metadata;
            if (m == null || !m.fetchedAt().plus(DISCOVERY_TTL).isAfter(clock.instant())) {
                // A failure is not cached: the next citizen tries again.
                m = discover();
                metadata = m;
            }
            return m;
        }
    }

    private Metadata discover() throws LoginRejected {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URI uri = URI.create(base + "/.well-known/openid-configuration");
        HttpResponse<String> r = call(HttpRequest.newBuilder(uri).GET(), "discovery");
        if (r.statusCode() != 200) {
            LOG.warn("OIDC discovery at {} answered HTTP {}", uri, r.statusCode());
            throw unavailable();
        }
        try {
            JsonNode doc = JSON.readTree(r.body());
            // OpenID Connect Discovery 1.0, section 4.3: the issuer must be exactly the one configured.
            if (!issuer.equals(doc.path("issuer").asText())) {
                LOG.error("OIDC discovery at {} names issuer '{}', not the configured '{}': refusing it", uri,
                        doc.path("issuer").asText(), issuer);
                throw unavailable();
            }
            Set<JWSAlgorithm> algs = new LinkedHashSet<>();
            doc.path("id_token_signing_alg_values_supported").forEach(a -> {
                JWSAlgorithm alg = JWSAlgorithm.parse(a.asText());
                if (ACCEPTED.contains(alg)) {
                    algs.add(alg);
                }
            });
            if (algs.isEmpty()) {
                algs.add(JWSAlgorithm.RS256); // the default every provider must support
            }
            URI jwks = endpoint(doc, "jwks_uri");
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(jwks.toURL(), new Retriever()).build();
            Metadata m = new Metadata(endpoint(doc, "authorization_endpoint"), endpoint(doc, "token_endpoint"), jwks,
                    Set.copyOf(algs), keys, clock.instant());
            LOG.info("OIDC provider {}: authorization at {}, tokens at {}, keys at {}, algorithms {}", issuer,
                    m.authorizationEndpoint(), m.tokenEndpoint(), jwks, algs);
            return m;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("OIDC discovery at {} is not a usable document: {}", uri, e.getMessage());
            throw unavailable();
        }
    }

    private static URI endpoint(JsonNode doc, String field) throws MalformedURLException {
        String v = doc.path(field).asText("");
        if (v.isBlank()) {
            throw new IllegalArgumentException("no " + field);
        }
        URI uri = URI.create(v);
        uri.toURL(); // must be an absolute http(s) address
        return uri;
    }

    /** The address that starts the login in the citizen's browser (RFC 6749 4.1.1, RFC 7636 4.3). */
    String authorizationUrl(Metadata m, String state, String nonce, String codeChallenge) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", clientId);
        q.put("redirect_uri", redirectUri);
        q.put("scope", scope);
        q.put("state", state);
        q.put("nonce", nonce);
        q.put("code_challenge", codeChallenge);
        q.put("code_challenge_method", "S256");
        String base = m.authorizationEndpoint().toString();
        return base + (base.contains("?") ? "&" : "?") + form(q);
    }

    /**
     * Exchanges the code at the token endpoint with the PKCE verifier and validates the ID
     * token: signature against the provider's JWKS, {@code iss}, {@code aud} (our client ID),
     * {@code exp}/{@code iat}, {@code sub} and the {@code nonce} of this login.
     *
     * @return the ID token's claims
     */
    JWTClaimsSet exchange(String code, String verifier, String nonce) throws LoginRejected {
        Metadata m = metadata();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", redirectUri);
        f.put("code_verifier", verifier);
        HttpRequest.Builder b = HttpRequest.newBuilder(m.tokenEndpoint())
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (clientSecret.isEmpty()) {
            f.put("client_id", clientId);
        } else {
            // client_secret_basic (RFC 6749 2.3.1): both parts form-encoded before base64.
            String basic = enc(clientId) + ":" + enc(clientSecret);
            b.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = call(b.POST(HttpRequest.BodyPublishers.ofString(form(f))), "token");
        if (r.statusCode() >= 500) {
            LOG.warn("OIDC token endpoint answered HTTP {}", r.statusCode());
            throw unavailable();
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        if (r.statusCode() != 200) {
            // e.g. invalid_grant: a used or foreign code, or a PKCE verifier that does not match.
            // The description names no person; the code itself is never logged.
            LOG.warn("OIDC token endpoint refused the code: HTTP {} {} ({})", r.statusCode(),
                    body.path("error").asText("?"), body.path("error_description").asText(""));
            if (r.statusCode() == 401) {
                LOG.error("The OIDC provider does not accept our client credentials: check client.id and client.secret");
            }
            throw invalid("the identity provider refused this login (" + body.path("error").asText("error") + ")");
        }
        String idToken = body.path("id_token").asText("");
        if (idToken.isEmpty()) {
            throw invalid("the identity provider sent no ID token (is 'openid' among the scopes?)");
        }
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(m.algorithms(), m.keys()));
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(clientId,
                new JWTClaimsSet.Builder().issuer(issuer).claim("nonce", nonce).build(),
                Set.of("sub", "iat", "exp", "nonce")));
        try {
            JWTClaimsSet claims = p.process(idToken, null);
            // OIDC Core 3.1.3.7: with several audiences the token must be issued to us (azp).
            if (claims.getAudience().size() > 1 && !clientId.equals(claims.getStringClaim("azp"))) {
                throw invalid("the ID token was issued to another client");
            }
            return claims;
        } catch (KeySourceException e) {
            LOG.warn("OIDC keys could not be fetched from {}: {}", m.jwksUri(), e.getMessage());
            throw unavailable();
        } catch (BadJOSEException | JOSEException | ParseException e) {
            LOG.warn("OIDC ID token refused: {}", e.getMessage());
            throw invalid("the identity provider's ID token is not valid for this login");
        }
    }

    private HttpResponse<String> call(HttpRequest.Builder b, String what) throws LoginRejected {
        try {
            return http.send(b.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            LOG.warn("OIDC {} call to {} failed: {}", what, issuer, e.toString());
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
    }

    /** JWKS fetched with the same HTTP client and timeouts (Nimbus' default uses HttpURLConnection). */
    private final class Retriever implements ResourceRetriever {
        @Override
        public Resource retrieveResource(URL url) throws IOException {
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IllegalArgumentException e) {
                throw new IOException(e);
            }
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode() + " from " + url);
            }
            return new Resource(r.body(), r.headers().firstValue("Content-Type").orElse(null));
        }
    }

    static LoginRejected unavailable() {
        return new LoginRejected("provider_unavailable",
                "the unified identity account cannot be reached right now; please try again later or log in another way");
    }

    static LoginRejected invalid(String message) {
        return new LoginRejected("invalid_token", message + "; please start the login again");
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
